"""/api/v1/rapid-tests: markets' daily rapid tests (快检) in the v1 field spec, with the
parameters of the 快检公示 page's search (portal.rapid_tests.schemas.RapidFilter) and paging."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.api.params import Page
from portal.api.schemas import F
from portal.rapid_tests import queries
from portal.rapid_tests.models import RapidFollowUp, RapidTest as RapidTestRow
from portal.rapid_tests.rules import public_trader
from portal.rapid_tests.schemas import RapidFilter


class RapidParams(Page, RapidFilter):
    """The 快检 search (the same model the page and its cache use) and a page of it."""


class RapidFollowUp_(BaseModel):
    review: Literal["pending", "confirmed", "not_confirmed"] = F(
        "实验室复核：pending 待复核，confirmed 确认不合格，not_confirmed 未确认（合格）",
        "laboratory review of the screening result")
    reviewed_on: date | None = F("复核日期", "review date")
    measures: str | None = F("处置措施，如 下架、销毁", "measures taken, e.g. off sale, destroyed")
    measures_on: date | None = F("处置日期", "date of the measures")
    case_status: Literal["none", "filed", "closed"] = F(
        "立案情况：none 未立案，filed 已立案，closed 已结案", "case: none, filed, closed")
    case_filed_on: date | None = F("立案日期", "case filed on")
    case_closed_on: date | None = F("结案日期", "case closed on")


class RapidTest(BaseModel):
    id: int = F("快检结果编号（本站）", "rapid test id on this portal")
    tested_on: date = F("检测日期", "test date")
    market_id: int = F("市场编号", "market id")
    market: str = F("市场名称", "market")
    stall: str | None = F("摊位号", "stall")
    trader: str | None = F("经营户（个人姓名显示为“张某”）", "trader (a person's name shown as surname + 某)")
    business_id: int | None = F("关联的登记经营主体编号", "registered business linked to the stall")
    sample: str = F("样品名称", "sample (food)")
    item: str = F("检测项目", "test item")
    method: str | None = F("检测方法", "method")
    value: str | None = F("检测值，如抑制率 %", "measured value, e.g. inhibition %")
    result: Literal["negative", "positive"] = F(
        "结果：negative 阴性（合格），positive 初筛阳性（快检是初筛，不是法定检验结论）",
        "result: negative, or positive on screening (not a legal finding)")
    follow_up: RapidFollowUp_ | None = F("初筛阳性的后续处置（阴性为 null）", "follow-up of a positive (null when negative)")
    demo: bool = F("演示数据", "generated demo record")
    updated_at: datetime = F("最后更新（UTC）", "last changed (UTC)")


def record(test: RapidTestRow) -> dict:
    f = test.follow_up
    return {"id": test.id, "tested_on": test.tested_on, "market_id": test.market_id,
            "market": test.market.name, "stall": test.stall, "trader": public_trader(test.trader),
            "business_id": test.business_id, "sample": test.sample, "item": test.item,
            "method": test.method, "value": test.value, "result": test.result,
            "follow_up": {"review": f.review, "reviewed_on": f.reviewed_on, "measures": f.measures,
                          "measures_on": f.measures_on, "case_status": f.case_status,
                          "case_filed_on": f.case_filed_on, "case_closed_on": f.case_closed_on}
            if f else None,
            "demo": bool(test.is_demo), "updated_at": test.updated_at}


def page(session: Session, q: RapidParams) -> tuple[int, list[dict]]:
    total, tests = queries.search(session, RapidFilter.of(q), limit=q.limit, offset=q.offset)
    return total, [record(t) for t in tests]


def modified(session: Session) -> datetime | None:
    moments = [session.scalar(select(func.max(RapidTestRow.updated_at))),
               session.scalar(select(func.max(RapidFollowUp.updated_at)))]
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None
