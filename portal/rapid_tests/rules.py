"""The words of rapid-test sheets and what a citizen is told, from data/rapid_tests/rules.json."""
from __future__ import annotations

import json
import re
from functools import lru_cache

from portal.config import DATA_DIR
from portal.i18n import N_
from portal.personal import mask_personal
from portal.rapid_tests.models import (CASE_CLOSED, CASE_FILED, CASE_NONE, NEGATIVE, POSITIVE,
                                       REVIEW_CONFIRMED, REVIEW_NOT_CONFIRMED, REVIEW_PENDING)

# A business's name ends with one of these; a stall holder's own name (张三) does not.
BUSINESS_WORDS = re.compile(r"(店|行|铺|部|档|摊|场|司|社|厂|馆|园|站|中心|超市|商贸|批发|配送|基地|农庄|"
                            r"\d|[A-Za-z])")
PERSON_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


@lru_cache(maxsize=1)
def rules() -> dict:
    return json.loads((DATA_DIR / "rapid_tests" / "rules.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    return {**{w.lower(): NEGATIVE for w in rules()["negative_words"]},
            **{w.lower(): POSITIVE for w in rules()["positive_words"]}}


def result_code(text: str | None) -> str | None:
    """阴性/合格 -> NEGATIVE, 阳性/不合格 -> POSITIVE, anything else None (the row is refused)."""
    if not text:
        return None
    codes = _codes()
    found = codes.get(text)
    if found is None:
        found = codes.get(re.sub(r"[\s（）()]", "", text).lower())
    return found


def inhibition(value: str | None) -> float | None:
    """The number of a printed 抑制率 (35.2, 35.2%, 35.2 %), else None."""
    if not value:
        return None
    match = re.fullmatch(r"\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*", value)
    if not match:
        return None
    number = float(match[1])
    return number if 0 <= number <= 100 else None


def result_from_inhibition(value: str | None) -> str | None:
    """A board that prints only the 抑制率: at or above the threshold is positive."""
    number = inhibition(value)
    if number is None:
        return None
    return POSITIVE if number >= rules()["inhibition_threshold"]["value"] else NEGATIVE


def review_code(text: str | None) -> str:
    """复核结果 as written: 确认/不合格/阳性 -> confirmed, 合格/阴性/未确认 -> not confirmed."""
    if not text:
        return REVIEW_PENDING
    if "未确认" in text or "不确认" in text or "排除" in text:
        return REVIEW_NOT_CONFIRMED
    if "不合格" in text or "确认" in text or "阳性" in text or "超标" in text:
        return REVIEW_CONFIRMED
    if "合格" in text or "阴性" in text:
        return REVIEW_NOT_CONFIRMED
    return REVIEW_PENDING


def case_code(text: str | None) -> str:
    if not text:
        return CASE_NONE
    if "结案" in text:
        return CASE_CLOSED
    if "未立案" in text or "不予立案" in text or text.strip() in ("否", "无"):
        return CASE_NONE
    if "立案" in text or text.strip() == "是":
        return CASE_FILED
    return CASE_NONE


def measures_of(text: str | None) -> str | None:
    """The measures a 处理情况 cell names (下架、销毁…), in the rules' order; None if none."""
    if not text:
        return None
    found = [w for w in rules()["measure_words"] if w in text]
    return "、".join(found) or None


def public_trader(name: str | None) -> str | None:
    """A stall holder's own name is shown as 张某 (public notices' way); a business's name,
    and a stall number, as printed. Phone and ID numbers in the text are masked."""
    if not name:
        return None
    if PERSON_NAME.fullmatch(name) and not BUSINESS_WORDS.search(name):
        return name[0] + "某"
    return mask_personal(name)


# Said on every view of the results; its source is rules.json's screening_notice.
SCREENING_NOTICE = N_("快检是现场快速筛查（初筛），结果不是法定检验结论，不能作为行政处罚的依据。"
                      "初筛阳性的食品由市场立即下架，并送实验室按国家标准方法复核；"
                      "复核确认不合格的，依法处置并视情况立案调查。")
