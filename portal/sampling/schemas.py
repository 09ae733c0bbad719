"""The sampling search: one input model for the page, its shared links, the API and the
page's cache. Frozen, so equal searches are equal keys (st.cache_data, dict keys)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from portal.sampling.models import FAILED, PASSED
from portal.validation import MAX_QUERY, Adcode, Keyword, Period, clean_query

MAX_KEYWORD = MAX_QUERY
# The result as the API says it (its public contract) -> as records store it, which is also
# how the page's links say it (`result=不合格`, shared before the API existed). The one
# place where the two vocabularies meet.
RESULTS = {"pass": PASSED, "fail": FAILED}
RESULT_CODES = {word: code for code, word in RESULTS.items()}
SORT_KEYS = ("date_desc", "date_asc", "food")   # queries.SORTS gives each its order
KEYWORD_FIELDS = ("q", "category", "announcement_no")


class SamplingFilter(Period):
    """Which batches to find, and in which order. Every field also has a URL form (see
    to_params/from_params) so that a search can be shared."""
    model_config = ConfigDict(frozen=True, extra="forbid")

    q: Keyword = Field("", description="关键词：食品、企业或被抽样单位名称 / keyword in food, producer or sampled unit")
    category: Keyword = Field("", description="食品大类，如 粮食加工品 / food category")
    announcement_no: Keyword = Field("", description="公告号（包含）/ announcement number contains")
    result: Literal["", "pass", "fail"] = Field("", description="pass 合格 / fail 不合格")
    district: Adcode = ""
    scope: Literal["local", "all"] = Field(
        "local", description="local 在本市抽样 / all 所有已导入批次 (every imported batch)")
    sort: Literal[SORT_KEYS] = "date_desc"

    @classmethod
    def of(cls, query: BaseModel) -> SamplingFilter:
        """The search inside a larger query (the API's adds paging and a format)."""
        return cls.model_validate(query.model_dump(include=set(cls.model_fields)))

    @property
    def stored_result(self) -> str:
        """The result as records store it ("" for either)."""
        return RESULTS.get(self.result, "")

    def to_params(self) -> dict[str, str]:
        """The page's URL parameters: only what differs from the default, the result in the
        words the page's links have always used."""
        out = {}
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if value in ("", None) or value == field.default:
                continue
            if name == "result":
                value = RESULTS[value]
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> tuple[SamplingFilter, list[str]]:
        """Parse the page's URL parameters (or the API's: `result=fail` works too). A page
        never shows an error for a bad link: each bad value is dropped, with a message,
        and long keywords are cut."""
        problems: list[str] = []
        values: dict[str, str] = {}
        for name in cls.model_fields:
            raw = params.get(name)
            if raw in (None, ""):
                continue
            raw = str(raw)
            if name in KEYWORD_FIELDS:
                if len(raw) > MAX_KEYWORD and "查询条件过长，已截短" not in problems:
                    problems.append("查询条件过长，已截短")
                raw = clean_query(raw, MAX_KEYWORD)
            values[name] = RESULT_CODES.get(raw, raw) if name == "result" else raw
        while True:
            try:
                return cls.model_validate(values), problems
            except ValidationError as exc:
                before = len(values)
                for error in exc.errors():
                    bad = [str(error["loc"][0])] if error["loc"] else ["date_from", "date_to"]
                    problems.extend(_dropped(bad, values))
                    for name in bad:
                        values.pop(name, None)
                if len(values) == before:   # nothing left to drop: the defaults are valid
                    raise


def _dropped(names: list[str], values: dict[str, str]) -> list[str]:
    """Why a value in a link was ignored (an unknown scope or sort falls back silently)."""
    if names == ["date_from", "date_to"]:
        return ["开始日期晚于结束日期，已忽略"]
    name = names[0]
    if name not in values:
        return []
    if name == "result":
        return ["结果只能是“合格”或“不合格”，已忽略"]
    if name in ("date_from", "date_to"):
        return [f"日期“{values[name][:20]}”无法识别，已忽略"]
    if name == "district":
        return ["区县代码无法识别，已忽略"]
    return []
