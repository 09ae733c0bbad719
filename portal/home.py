"""The home page's headline figures, computed from the database.

Each capability adds a function to FIGURES returning Figure rows for the active jurisdiction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.i18n import N_
from portal.registry.models import CATERING, Business, District
from portal.registry.profiles import JurisdictionProfile

ELDERLY_AND_YOUNG = ("学校食堂", "养老机构食堂")


@dataclass(frozen=True)
class Figure:
    """label and help are templates in Chinese (translated where shown), filled from args."""
    label: str
    value: int | float
    unit: str
    help: str
    demo: bool
    args: dict = field(default_factory=dict)


def business_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    row = session.execute(
        select(func.count(),
               func.sum(case((Business.sector == CATERING, 1), else_=0)),
               func.sum(case((Business.business_type.in_(ELDERLY_AND_YOUNG), 1), else_=0)),
               func.sum(case((Business.is_demo.is_(True), 1), else_=0)))
        .join(District).where(District.jurisdiction_adcode == profile.adcode)).one()
    total, catering, canteens, demo = (int(v or 0) for v in row)
    is_demo = demo > 0
    return [
        Figure(N_("登记食品经营主体"), total, N_("家"), N_("本市登记在册的食品生产、销售和餐饮服务单位总数。"), is_demo),
        Figure(N_("餐饮服务单位"), catering, N_("家"), N_("餐馆、快餐店、小吃店、饮品店及各类单位食堂等。"), is_demo),
        Figure(N_("“一老一小”食堂"), canteens, N_("家"), N_("学校食堂和养老机构食堂，是重点监管对象。"), is_demo),
    ]


def sampling_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.sampling.models import DISPOSED, FAILED, Disposal, SamplingBatch
    from portal.sampling.queries import duty_disposals
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
        duty_disposals(func.count(), func.sum(case((Disposal.status == DISPOSED, 1), else_=0)))).one()
    total_failed, done = int(disposed[0] or 0), int(disposed[1] or 0)
    per_thousand = round(batches / profile.population * 1000, 2) if profile.population else 0
    pass_rate = round(100 * (batches - failed) / batches, 1) if batches else 0
    is_demo = demo > 0
    return [
        Figure(N_("{year}年抽检批次"), batches, N_("批"),
               N_("本年在本市抽样并公布的批次；每千人 {per_thousand} 批次（目标 ≥ 6）。"), is_demo,
               {"year": year, "per_thousand": per_thousand}),
        Figure(N_("{year}年抽检合格率"), pass_rate, "%", N_("{passed:,} / {batches:,} 批次合格。"), is_demo,
               {"year": year, "passed": batches - failed, "batches": batches}),
        Figure(N_("不合格食品处置完成率"), round(100 * done / total_failed, 1) if total_failed else 100.0, "%",
               N_("在本市抽样的全部不合格批次中已完成核查处置的比例（{done:,} / {total:,}）。"), is_demo,
               {"done": done, "total": total_failed}),
    ]


def rating_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.ratings.queries import canteen_stream_coverage

    total, streamed, demo = canteen_stream_coverage(session, profile.adcode)
    share = round(100 * streamed / total, 1) if total else 0.0
    return [Figure(N_("“一老一小”食堂互联网+明厨亮灶"), share, "%",
                   N_("学校和养老机构食堂中，公众可在线观看后厨直播的比例（{streamed:,} / {total:,}），"
                      "目标 100%。"), demo, {"streamed": streamed, "total": total})]


def list_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.lists.queries import active_counts, any_demo
    from portal.timeutil import local_today

    counts = active_counts(session, profile.adcode, local_today())
    demo = any_demo(session)
    return [Figure(N_("黑榜在列"), counts["black"], N_("家"), N_("目前列入严重违法失信名单的经营主体。"), demo),
            Figure(N_("红榜在列"), counts["red"], N_("家"), N_("目前在表彰期内的诚信经营单位。"), demo)]


def complaint_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.complaints.stats import summary
    from portal.timeutil import local_today

    year = local_today().year
    data = summary(session, date(year, 1, 1), date(year, 12, 31))
    rate = data.finish_rate if data.finish_rate is not None else 0.0
    on_time = data.on_time_rate if data.on_time_rate is not None else 0.0
    return [Figure(N_("{year}年收到投诉举报"), data.received, N_("件"),
                   N_("已办结 {finished:,} 件，办结率 {rate}%（目标 100%）。"), data.demo,
                   {"year": year, "finished": data.finished, "rate": rate}),
            Figure(N_("投诉举报按期办结率"), on_time, "%",
                   N_("在法定期限内（按工作日计算）办结的比例。"), data.demo),
            Figure(N_("投诉举报处理满意度"), data.satisfaction if data.satisfaction is not None else 0.0, "%",
                   N_("办结后群众评价为“满意”或“基本满意”的比例（{rated:,} 条评价）。"), data.demo,
                   {"rated": data.rated}),
            Figure(N_("回访：问题已解决"), data.resolved_rate if data.resolved_rate is not None else 0.0, "%",
                   N_("办结四周后回访，回答“已解决”的比例（{answered:,} 份回答）；“没有解决”的重新办理。"),
                   data.demo, {"answered": data.answered})]


def round_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.rounds.phases import PUBLISHED, phase
    from portal.rounds.queries import rounds, year_votes
    from portal.timeutil import local_today

    today = local_today()
    votes, people, demo = year_votes(session, date(today.year, 1, 1), date(today.year, 12, 31))
    published = sum(1 for r in rounds(session)
                    if phase(r, today) == PUBLISHED and r.published_at.year == today.year)
    return [Figure(N_("{year}年“你点我检”投票"), votes, N_("票"),
                   N_("{people:,} 人参与投票；本年已公布 {published} 期抽检结果。"), demo,
                   {"year": today.year, "people": people, "published": published})]


def survey_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.config import load_settings
    from portal.surveys import stats
    from portal.surveys.definition import current_survey

    survey = current_survey(load_settings())
    overview = stats.overview(session, survey.key, {d.adcode: d.population for d in profile.districts})
    score = round(overview.weighted.mean, 1) if overview.weighted.mean is not None else 0.0
    return [Figure(N_("食品安全群众满意度"), score, N_("分"),
                   N_("{title}，{responses:,} 人参加，按各区县人口加权（目标 ≥ {target:g} 分）。"),
                   overview.demo, {"title": survey.title, "responses": overview.responses,
                                   "target": survey.target})]


def test_room_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.test_rooms.queries import figures
    from portal.timeutil import local_today

    year = local_today().year
    data = figures(session, profile.adcode, year)
    return [Figure(N_("快检室"), data.rooms, N_("个"),
                   N_("市民可预约送检的快检室；{year}年已预约 {bookings:,} 次，出具结果 {tested:,} 次。"),
                   data.demo, {"year": year, "bookings": data.bookings, "tested": data.tested})]


def rapid_test_figures(session: Session, profile: JurisdictionProfile) -> list[Figure]:
    from portal.rapid_tests.queries import year_figures
    from portal.timeutil import local_today

    year = local_today().year
    tests, positives, demo = year_figures(session, year)
    rate = round(100 * positives / tests, 2) if tests else 0.0
    return [Figure(N_("{year}年市场快检"), tests, N_("批次"),
                   N_("农贸市场快检室本年检测的食用农产品；初筛阳性 {positives:,} 批次，阳性率 {rate}%"
                      "（快检是初筛，阳性送实验室复核）。"), demo,
                   {"year": year, "positives": positives, "rate": rate})]


FIGURES = [business_figures, sampling_figures, rapid_test_figures, rating_figures, list_figures, complaint_figures,
           round_figures, survey_figures, test_room_figures]


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
               func.coalesce(func.sum(case((Business.sector == CATERING, 1), else_=0)), 0))
        .outerjoin(Business, Business.district_adcode == District.adcode)
        .where(District.jurisdiction_adcode == profile.adcode)
        .group_by(District.adcode, District.name, District.population)
        .order_by(District.adcode)).all()
    return [DistrictRow(*row) for row in rows]
