"""The business search: one input model for the 商户查询 page, its links and the API
(portal.searches)."""
from __future__ import annotations

from pydantic import Field

from portal.searches import SearchFilter
from portal.validation import Adcode, Keyword


class BusinessFilter(SearchFilter):
    """Which businesses of the jurisdiction to find (by name or address, district, type)."""
    KEYWORDS = ("q", "type")

    q: Keyword = Field("", description="名称或地址关键词 / keyword in name or address")
    district: Adcode = ""
    type: Keyword = Field("", description="经营类型，如 餐馆、学校食堂 / business type, e.g. 餐馆")
