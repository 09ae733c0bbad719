"""Personal data in free-text answers is masked before it is stored: mobile numbers
(138****1234) and resident ID numbers (first 6 and last 4 kept)."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from portal.config import DATA_DIR

_ID = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[0-9Xx])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")


def mask_personal(text: str) -> str:
    text = _ID.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    path = DATA_DIR / "surveys" / "stopwords.txt"
    return frozenset(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip())


@lru_cache(maxsize=1)
def _segmenter():
    """jieba with the food-safety terms of data/surveys/userdict.txt (农药残留, 明厨亮灶 …)."""
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(DATA_DIR / "surveys" / "userdict.txt"))
    return tokenizer


def top_terms(texts: list[str], limit: int = 20) -> list[tuple[str, int]]:
    """Most frequent words (jieba segmentation), each counted once per answer; one-character
    words, numbers and stop words left out."""
    jieba = _segmenter()
    counts: Counter = Counter()
    stop = _stopwords()
    for text in texts:
        words = {w.strip() for w in jieba.lcut(text)}
        counts.update(w for w in words if len(w) >= 2 and w not in stop and not w.isdigit()
                      and "*" not in w)
    return counts.most_common(limit)
