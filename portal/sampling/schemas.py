"""The sampling search: one input model for the page, its shared links, the API and the
page's cache (portal.searches)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from portal.sampling.models import FAILED, PASSED
from portal.searches import SearchFilter
from portal.validation import MAX_QUERY, Adcode, Keyword, Period

MAX_KEYWORD = MAX_QUERY
# The result as the API says it (its public contract) -> as records store it, which is also
# how the page's links say it (`result=不合格`, shared before the API existed).
RESULTS = {"pass": PASSED, "fail": FAILED}
RESULT_CODES = {word: code for code, word in RESULTS.items()}
SORT_KEYS = ("date_desc", "date_asc", "food")   # queries.SORTS gives each its order


class SamplingFilter(SearchFilter, Period):
    """Which batches to find, and in which order."""
    KEYWORDS = ("q", "category", "announcement_no")
    LINK_WORDS = {"result": RESULTS}
    LINK_PROBLEMS = SearchFilter.LINK_PROBLEMS | {"result": "结果只能是“合格”或“不合格”，已忽略"}

    q: Keyword = Field("", description="关键词：食品、企业或被抽样单位名称 / keyword in food, producer or sampled unit")
    category: Keyword = Field("", description="食品大类，如 粮食加工品 / food category")
    announcement_no: Keyword = Field("", description="公告号（包含）/ announcement number contains")
    result: Literal["", "pass", "fail"] = Field("", description="pass 合格 / fail 不合格")
    district: Adcode = ""
    scope: Literal["local", "all"] = Field(
        "local", description="local 在本市抽样 / all 所有已导入批次 (every imported batch)")
    sort: Literal[SORT_KEYS] = "date_desc"

    @property
    def stored_result(self) -> str:
        """The result as records store it ("" for either)."""
        return RESULTS.get(self.result, "")
