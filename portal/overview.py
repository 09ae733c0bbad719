"""监管总览: one row of figures per capability for the officials' overview page. Each part
says which roles see it (analysts and admins see all; others their own part)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Part:
    title: str
    page: str
    roles: tuple[str, ...]
    figures: list[tuple[str, str, str]]      # label, value, help
    note: str = ""


def disposal_part(session: Session, today: date) -> Part:
    from portal.sampling.models import CHECKING, DISPOSAL_STATUS_LABELS, DISPOSED, PENDING, Disposal
    from portal.sampling.queries import disposal_summary, duty_disposals

    summary = disposal_summary(session, today)
    due_week = session.scalar(duty_disposals(func.count()).where(
        Disposal.status != DISPOSED, Disposal.due_on >= today,
        Disposal.due_on <= today + timedelta(days=7))) or 0
    return Part("不合格食品核查处置", "pages/sampling_disposal.py", ("publisher",), [
        ("逾期未处置", f"{summary['overdue']:,}", "在本市抽样、已过应完成日期仍未处置完毕的不合格批次（外地批次由抽样地处置，不计入）。"),
        ("7 天内到期", f"{due_week:,}", "应完成日期在 7 天内的未办结批次。"),
        (f"{DISPOSAL_STATUS_LABELS[PENDING]} / {DISPOSAL_STATUS_LABELS[CHECKING]}",
         f"{summary[PENDING]:,} / {summary[CHECKING]:,}", "")])


def complaint_part(session: Session, today: date) -> Part:
    from portal.complaints import stats
    from portal.complaints.handling import clock_summary

    clock = clock_summary(session, today)
    year = stats.summary(session, date(today.year, 1, 1), date(today.year, 12, 31))
    rate = "—" if year.finish_rate is None else f"{year.finish_rate:.1f}%"
    return Part("投诉举报法定时限", "pages/complaint_queue.py", ("handler",), [
        ("已逾期", f"{clock['overdue']:,}", "已过法定期限仍未作出决定或办结。"),
        ("5 个工作日内到期", f"{clock['due_soon']:,}", "按工作日计算（节假日和调休已计入）。"),
        ("待受理", f"{clock['new']:,}", "新提交、尚未决定是否受理。"),
        (f"{today.year}年办结率", rate, f"已办结 {year.finished:,} / 收到 {year.received:,}。")])


def round_part(session: Session, today: date) -> Part:
    from portal.rounds.management import pending_count
    from portal.rounds.phases import (PHASE_LABELS, PROPOSALS, PUBLISHED, REVIEW, SAMPLING,
                                      UPCOMING, VOTING, phase)
    from portal.rounds.queries import rounds, voters

    # The round that most needs attention: voting first, then collecting, then sampling.
    order = {VOTING: 0, PROPOSALS: 1, REVIEW: 2, SAMPLING: 3, UPCOMING: 4}
    active = [r for r in rounds(session) if phase(r, today) != PUBLISHED]
    current = min(active, key=lambda r: order[phase(r, today)], default=None)
    if current is None:
        return Part("你点我检", "pages/rounds_admin.py", ("publisher",),
                    [("进行中的一期", "无", "")], "目前没有进行中的一期。")
    votes, people = voters(session, current.id)
    return Part("你点我检", "pages/rounds_admin.py", ("publisher",), [
        ("当前一期", PHASE_LABELS[phase(current, today)], current.title),
        ("票数 / 人数", f"{votes:,} / {people:,}", ""),
        ("待审核建议", f"{pending_count(session, current.id):,}", "")], current.title)


def survey_part(session: Session, survey, populations: dict[str, int]) -> Part:
    from portal.surveys import stats

    overview = stats.overview(session, survey.key, populations)
    months = stats.monthly(stats.by_month(session, survey.key))
    keys = sorted(months)
    trend, trend_help = "", "未加权月度得分之差。"
    if len(keys) >= 2 and months[keys[-1]].mean is not None and months[keys[-2]].mean is not None:
        trend = f"{months[keys[-1]].mean - months[keys[-2]].mean:+.1f}"
        trend_help = (f"{keys[-1]}（{months[keys[-1]].n:,} 份）对比 {keys[-2]}（{months[keys[-2]].n:,} 份）"
                      "的未加权得分之差；当月未结束时仅供参考。")
    score = "—" if overview.weighted.mean is None else f"{overview.weighted.mean:.1f}"
    return Part("食品安全满意度", "pages/survey_dashboard.py", ("analyst",), [
        ("满意度（加权）", score, f"目标 {survey.target:g} 分；{overview.responses:,} 份问卷。"),
        ("最近一月变化", trend or "—", trend_help),
        ("有效问卷", f"{overview.responses:,}", "")])
