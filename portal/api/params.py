"""Query parameters of each endpoint: validated on the server, unknown ones refused.

Every field carries its meaning in Chinese and English; FastAPI publishes them in the
OpenAPI document."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from portal import map_feed
from portal.registry.schemas import BusinessFilter
from portal.sampling.schemas import SamplingFilter
from portal.validation import Adcode, Keyword, Period, clean_query

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000


class Page(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="每页条数 1–500 / records per page, 1–500")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数 / records to skip")
    format: Literal["json", "csv"] = Field("json", description="json 或 csv（UTF-8 带 BOM）/ json or csv (UTF-8 with BOM)")


class SamplingParams(Page, SamplingFilter):
    """The sampling search (the same model the page and its cache use) and a page of it."""


class BusinessParams(Page, BusinessFilter):
    """The business search (the same model the 商户查询 page uses) and a page of it."""


class ListParams(Page):
    kind: Literal["", "black", "red"] = Field("", description="black 黑榜 / red 红榜；空为两者 / empty for both")
    q: Keyword = Field("", description="名称、信用代码或原因关键词 / keyword in name, credit code or reason")


class RoundParams(Page):
    phase: Literal["", "upcoming", "proposals", "review", "voting", "sampling", "published"] = ""


class StatsParams(Period):
    model_config = ConfigDict(extra="forbid")

    by: Literal["category", "district", "kind", "month"] = Field(
        "category", description="分组 / grouping: category 类别, district 区县, kind 投诉或举报, month 月份")
    format: Literal["json", "csv"] = "json"


class RequestParams(Page, Period):
    status: Literal["", "open", "closed"] = Field("", description="open 办理中 / closed 已办结")
    service_code: Keyword = Field("", description="类别代码，见 /api/v1/services / category code")
    district: Adcode = ""

    @field_validator("service_code")
    @classmethod
    def _known_code(cls, code: str) -> str:
        from portal.complaints.rules import category_codes

        if code and code not in {c for c, _ in category_codes().values()}:
            raise ValueError("没有这个类别代码，可用代码见 /api/v1/services"
                             " / unknown service_code, see /api/v1/services")
        return code


MapKind = Annotated[str, Field(max_length=30), AfterValidator(clean_query)]


class MapPointsParams(BaseModel):
    """The map's filters (pages/map.py); each value bounded, so that a filter stays small."""
    model_config = ConfigDict(extra="forbid")

    kind: list[MapKind] = Field(default_factory=list, max_length=map_feed.MAX_KINDS,
                                description="经营类型，可重复，如 kind=学校食堂&kind=养老机构食堂 / business type, repeatable")
    grade: list[Literal[tuple(map_feed.GRADES.values())]] = Field(
        default_factory=list, max_length=len(map_feed.GRADES),
        description="地图等级，可重复：excellent 优秀、good 良好、fair 一般、unrated 暂不评级、not_catering 非餐饮"
                    " / map class, repeatable")
    district: Adcode = ""
    kitchen: Literal[("", *map_feed.KITCHENS.values())] = Field(
        "", description="明厨亮灶：transparent 透明厨房、video 视频厨房、internet 互联网+明厨亮灶 / kitchen display")
    name: Annotated[str, Field(max_length=map_feed.MAX_NAME), AfterValidator(clean_query)] = Field(
        "", description="名称包含 / name contains")
    crs: Literal[map_feed.CRS] = Field(
        "wgs84", description="坐标系：wgs84（如库中所存）或 gcj02（高德底图）/ coordinates: wgs84 as stored, or gcj02")
    v: str = Field("", pattern=r"^[0-9a-f]{0,32}$",
                   description="数据版本标记，地图用来区分缓存，可省略 / version tag the map adds; optional")
