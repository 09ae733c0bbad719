"""The 快检 search: one input model for the page, its links, the API and the page's cache."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from portal.rapid_tests.models import NEGATIVE, POSITIVE
from portal.searches import SearchFilter
from portal.validation import Keyword, Period

# The API's words are the stored codes; the page's links say 阳性 / 阴性.
LINK_RESULTS = {POSITIVE: "阳性", NEGATIVE: "阴性"}


class RapidFilter(SearchFilter, Period):
    """Which results to find: positives first, newest day first."""
    KEYWORDS = ("q",)
    LINK_WORDS = {"result": LINK_RESULTS}
    LINK_PROBLEMS = SearchFilter.LINK_PROBLEMS | {
        "result": "结果只能是“阳性”或“阴性”，已忽略", "market": "市场编号无法识别，已忽略"}

    q: Keyword = Field("", description="食品（样品）或市场名称关键词 / keyword in sample (food) or market name")
    market: int | None = Field(None, ge=1, le=2**31 - 1, description="市场编号 / market id")
    result: Literal["", "positive", "negative"] = Field(
        "", description="positive 初筛阳性 / negative 阴性（合格）")
