"""The home page's headline figures, computed from the database.

Each capability adds a function to FIGURES returning Figure rows for the active jurisdiction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.registry.models import Business, District
from portal.registry.profiles import JurisdictionProfile

ELDERLY_AND_YOUNG = ("学校食堂", "养老机构食堂")


@dataclass(frozen=True)
class Figure:
    label: str
    value: int | float
    unit: str
    help: str
    demo: bool


def business_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    row = session.execute(
        select(func.count(),
               func.sum(case((Business.sector == "餐饮服务", 1), else_=0)),
               func.sum(case((Business.business_type.in_(ELDERLY_AND_YOUNG), 1), else_=0)),
               func.sum(case((Business.is_demo.is_(True), 1), else_=0)))
        .join(District).where(District.jurisdiction_adcode == profile.adcode)).one()
    total, catering, canteens, demo = (int(v or 0) for v in row)
    is_demo = demo > 0
    return [
        Figure("登记食品经营主体", total, "家", "本市登记在册的食品生产、销售和餐饮服务单位总数。", is_demo),
        Figure("餐饮服务单位", catering, "家", "餐馆、快餐店、小吃店、饮品店及各类单位食堂等。", is_demo),
        Figure("“一老一小”食堂", canteens, "家", "学校食堂和养老机构食堂，是重点监管对象。", is_demo),
    ]


def sampling_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.sampling.models import FAILED, Disposal, SamplingBatch
    from portal.timeutil import local_today

    year = local_today().year
    row = session.execute(
        select(func.count(SamplingBatch.id),
               func.sum(case((SamplingBatch.result == FAILED, 1), else_=0)),
               func.sum(case((SamplingBatch.is_demo.is_(True), 1), else_=0)))
        .where(SamplingBatch.in_jurisdiction.is_(True),
               SamplingBatch.announcement_date >= date(year, 1, 1))).one()
    batches, failed, demo = (int(v or 0) for v in row)
    disposed = session.execute(
        select(func.count(), func.sum(case((Disposal.status == "已处置", 1), else_=0)))
        .select_from(Disposal)).one()
    total_failed, done = int(disposed[0] or 0), int(disposed[1] or 0)
    per_thousand = round(batches / profile.population * 1000, 2) if profile.population else 0
    pass_rate = round(100 * (batches - failed) / batches, 1) if batches else 0
    is_demo = demo > 0
    return [
        Figure(f"{year}年抽检批次", batches, "批", f"本年在本市抽样并公布的批次；每千人 {per_thousand} 批次（目标 ≥ 6）。", is_demo),
        Figure(f"{year}年抽检合格率", pass_rate, "%", f"{batches - failed:,} / {batches:,} 批次合格。", is_demo),
        Figure("不合格食品处置完成率", round(100 * done / total_failed, 1) if total_failed else 100.0, "%",
               f"全部不合格批次中已完成核查处置的比例（{done:,} / {total_failed:,}）。", is_demo),
    ]


def rating_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.ratings.queries import canteen_stream_coverage

    total, streamed, demo = canteen_stream_coverage(session, profile.adcode)
    share = round(100 * streamed / total, 1) if total else 0.0
    return [Figure("“一老一小”食堂互联网+明厨亮灶", share, "%",
                   f"学校和养老机构食堂中，公众可在线观看后厨直播的比例（{streamed:,} / {total:,}），"
                   "目标 100%。", demo)]


def list_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.lists.queries import active_counts, any_demo
    from portal.timeutil import local_today

    counts = active_counts(session, profile.adcode, local_today())
    demo = any_demo(session)
    return [Figure("黑榜在列", counts["black"], "家", "目前列入严重违法失信名单的经营主体。", demo),
            Figure("红榜在列", counts["red"], "家", "目前在表彰期内的诚信经营单位。", demo)]


def complaint_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.complaints.stats import summary
    from portal.timeutil import local_today

    year = local_today().year
    data = summary(session, date(year, 1, 1), date(year, 12, 31))
    rate = data.finish_rate if data.finish_rate is not None else 0.0
    on_time = data.on_time_rate if data.on_time_rate is not None else 0.0
    return [Figure(f"{year}年收到投诉举报", data.received, "件",
                   f"已办结 {data.finished:,} 件，办结率 {rate}%（目标 100%）。", data.demo),
            Figure("投诉举报按期办结率", on_time, "%",
                   "在法定期限内（按工作日计算）办结的比例。", data.demo),
            Figure("投诉举报处理满意度", data.satisfaction if data.satisfaction is not None else 0.0, "%",
                   f"办结后群众评价为“满意”或“基本满意”的比例（{data.rated:,} 条评价）。", data.demo)]


def round_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.rounds.phases import PUBLISHED, phase
    from portal.rounds.queries import rounds, year_votes
    from portal.timeutil import local_today

    today = local_today()
    votes, people, demo = year_votes(session, date(today.year, 1, 1), date(today.year, 12, 31))
    published = sum(1 for r in rounds(session)
                    if phase(r, today) == PUBLISHED and r.published_at.year == today.year)
    return [Figure(f"{today.year}年“你点我检”投票", votes, "票",
                   f"{people:,} 人参与投票；本年已公布 {published} 期抽检结果。", demo)]


def survey_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.config import load_settings
    from portal.surveys import stats
    from portal.surveys.definition import current_survey

    survey = current_survey(load_settings())
    overview = stats.overview(session, survey.key, {d.adcode: d.population for d in profile.districts})
    score = round(overview.weighted.mean, 1) if overview.weighted.mean is not None else 0.0
    return [Figure("食品安全群众满意度", score, "分",
                   f"{survey.title}，{overview.responses:,} 人参加，按各区县人口加权（目标 ≥ {survey.target:g} 分）。",
                   overview.demo)]


FIGURES = [business_figures, sampling_figures, rating_figures, list_figures, complaint_figures,
           round_figures, survey_figures]


def headline_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    return [figure for build in FIGURES for figure in build(session, profile)]


@dataclass(frozen=True)
class DistrictRow:
    adcode: str
    name: str
    population: int
    businesses: int
    catering: int


def district_overview(session: Session, profile: JurisdictionProfile) -> list[DistrictRow]:
    rows = session.execute(
        select(District.adcode, District.name, District.population,
               func.count(Business.id),
               func.coalesce(func.sum(case((Business.sector == "餐饮服务", 1), else_=0)), 0))
        .outerjoin(Business, Business.district_adcode == District.adcode)
        .where(District.jurisdiction_adcode == profile.adcode)
        .group_by(District.adcode, District.name, District.population)
        .order_by(District.adcode)).all()
    return [DistrictRow(*row) for row in rows]
