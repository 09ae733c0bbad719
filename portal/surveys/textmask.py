"""The words of free-text answers (their personal data is masked before it is stored, by
portal.personal.mask_personal)."""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

from portal.config import DATA_DIR


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
