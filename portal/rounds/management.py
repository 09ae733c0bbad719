"""What officials (role publisher) do with a round: create it, add and moderate candidates,
fix the sampling plan, link sampling batches, publish. Every action is audited."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, field_validator, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.notices import voters as voter_notices
from portal.rounds.models import ACCEPTED, PENDING, REJECTED, Candidate, CandidateBatch, Round, VoteFlag
from portal.rounds.phases import PROPOSALS, PUBLISHED, REVIEW, SAMPLING, UPCOMING, VOTING, phase
from portal.rounds.queries import tallies
from portal.sampling.models import SamplingBatch
from portal.timeutil import cn_date, local_today, utcnow
from portal.validation import CleanText, InputError, checked, Message, clean_text, parse


# Free-text fields of the forms below (checked by clean_text).
TitleText = CleanText("标题", min_len=4, max_len=100)
DescriptionText = CleanText("说明", min_len=10, max_len=2000, multiline=True)
FoodText = CleanText("候选项目", min_len=2, max_len=60)
PlaceText = CleanText("地点或范围", max_len=120)
ReasonText = CleanText("理由", max_len=500, multiline=True)


class RoundForm(BaseModel):
    title: TitleText
    description: DescriptionText
    proposal_from: date
    proposal_to: date
    vote_from: date
    vote_to: date
    results_due: date
    sample_count: int
    daily_votes: int

    @field_validator("sample_count")
    @classmethod
    def _sample(cls, v):
        if not 1 <= v <= 50:
            raise ValueError("抽检项目数应在 1 到 50 之间")
        return v

    @field_validator("daily_votes")
    @classmethod
    def _daily(cls, v):
        if not 1 <= v <= 20:
            raise ValueError("每人每天票数应在 1 到 20 之间")
        return v

    @model_validator(mode="after")
    def _dates(self):
        if not self.proposal_from <= self.proposal_to < self.vote_from <= self.vote_to <= self.results_due:
            raise ValueError("日期顺序应为：征集开始 ≤ 征集结束 < 投票开始 ≤ 投票结束 ≤ 预计公布结果")
        return self


def create_round(session: Session, actor: Actor, data: dict, is_demo: bool = False) -> Round:
    authorize(actor, "round_create")
    form = parse(RoundForm, data)
    round_ = Round(**form.model_dump(), created_by=actor.username, is_demo=is_demo)
    session.add(round_)
    session.flush()
    audit.record(session, actor, "round_create", object_type="round", object_id=round_.id,
                 detail={"title": form.title})
    return round_


class CandidateForm(BaseModel):
    food: FoodText
    place: PlaceText = ""
    reason: ReasonText = ""


def _round(session: Session, round_id: int) -> Round:
    found = session.get(Round, round_id, with_for_update=True)
    if found is None:
        raise InputError({"round": Message("找不到这一期")})
    return found


def add_candidate(session: Session, actor: Actor, round_id: int, data: dict) -> Candidate:
    authorize(actor, "candidate_add")
    round_ = _round(session, round_id)
    if phase(round_, local_today()) not in (UPCOMING, PROPOSALS, REVIEW):
        raise InputError({"round": Message("投票开始后不能再增加候选项目")})
    form = parse(CandidateForm, data)
    candidate = Candidate(round_id=round_id, food=form.food, place=form.place or None,
                          reason=form.reason or None, by_citizen=False, status=ACCEPTED,
                          is_demo=round_.is_demo)
    session.add(candidate)
    session.flush()
    audit.record(session, actor, "candidate_add", object_type="round", object_id=round_id,
                 detail={"candidate": candidate.id, "food": form.food})
    return candidate


def moderate(session: Session, actor: Actor, candidate_id: int, accept: bool, note: str = "") -> Candidate:
    authorize(actor, "candidate_moderate")
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or candidate.status != PENDING:
        raise InputError({"candidate": Message("这条建议不存在或已经审核过了")})
    if phase(candidate.round, local_today()) in (VOTING, SAMPLING, PUBLISHED):
        raise InputError({"candidate": Message("投票开始后不能再审核建议")})
    note = checked("note", clean_text, note, "审核说明", max_len=300)
    if not accept and len(note) < 2:
        raise InputError({"note": Message("不通过时请说明理由（至少 2 个字），会向建议人显示")})
    candidate.status = ACCEPTED if accept else REJECTED
    candidate.moderation_note = note or None
    audit.record(session, actor, "candidate_moderate", object_type="round", object_id=candidate.round_id,
                 detail={"candidate": candidate.id, "accepted": accept})
    return candidate


def fix_plan(session: Session, actor: Actor, round_id: int, candidate_ids: list[int], note: str = "") -> Round:
    """The candidates to sample, after voting has ended (officials may depart from the
    ranking, e.g. for feasibility, and say why in the note)."""
    authorize(actor, "round_plan")
    round_ = _round(session, round_id)
    if phase(round_, local_today()) != SAMPLING:
        raise InputError({"round": Message("投票结束后才能确定抽检计划")})
    if round_.plan_fixed_at is not None:
        raise InputError({"round": Message("抽检计划已经确定")})
    ids = list(dict.fromkeys(candidate_ids))
    valid = set(session.scalars(select(Candidate.id).where(
        Candidate.round_id == round_id, Candidate.status == ACCEPTED, Candidate.id.in_(ids or [0]))))
    if not ids or set(ids) - valid:
        raise InputError({"plan": Message("请从本期已通过的候选项目中选择")})
    if len(ids) > round_.sample_count:
        raise InputError({"plan": Message("本期计划抽检 {n} 项，选择了 {chosen} 项",
                                              n=round_.sample_count, chosen=len(ids))})
    ranked = [t.candidate_id for t in tallies(session, round_id)][:round_.sample_count]
    note = checked("note", clean_text, note, "计划说明", max_len=1000, multiline=True)
    if set(ids) != set(ranked) and not note:
        raise InputError({"note": Message("所选项目与得票排名不一致，请在计划说明中写明原因")})
    for candidate in round_.candidates:
        candidate.selected = candidate.id in ids
    round_.plan_fixed_at, round_.plan_note = utcnow(), note or None
    session.flush()
    voter_notices.plan_made(session, round_id)      # the voters who asked, told by the worker
    audit.record(session, actor, "round_plan", object_type="round", object_id=round_id,
                 detail={"selected": ids, "ranking": ranked})
    return round_


def link_batch(session: Session, actor: Actor, candidate_id: int, batch_id: int) -> CandidateBatch:
    authorize(actor, "round_link_batch")
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or not candidate.selected:
        raise InputError({"candidate": Message("只能为抽检计划中的项目关联批次")})
    if candidate.round.published_at is not None:
        raise InputError({"candidate": Message("结果已公布，不能再修改关联")})
    batch = session.get(SamplingBatch, batch_id)
    if batch is None:
        raise InputError({"batch": Message("抽检结果中没有编号为 {batch_id} 的批次", batch_id=batch_id)})
    # A round's results are the samplings its vote asked for: a batch published before the
    # plan was fixed was sampled for some other reason, and would pass off an old result as
    # this round's.
    planned = candidate.round.planned_on
    if planned and batch.announcement_date and batch.announcement_date < planned:
        raise InputError({"batch": Message(
            "这一批次在本期抽检计划确定（{planned}）之前就已公布（{announced}），不是按本期投票安排的抽检",
            planned=cn_date(planned), announced=cn_date(batch.announcement_date))})
    if session.scalar(select(CandidateBatch.id).where(CandidateBatch.candidate_id == candidate_id,
                                                      CandidateBatch.batch_id == batch_id)):
        raise InputError({"batch": Message("这一批次已经关联过了")})
    link = CandidateBatch(candidate_id=candidate_id, batch_id=batch_id, linked_by=actor.username,
                          is_demo=candidate.is_demo)
    session.add(link)
    session.flush()
    audit.record(session, actor, "round_link_batch", object_type="round", object_id=candidate.round_id,
                 detail={"candidate": candidate_id, "batch": batch_id})
    return link


def unlink_batch(session: Session, actor: Actor, link_id: int) -> None:
    authorize(actor, "round_unlink_batch")
    link = session.get(CandidateBatch, link_id)
    if link is None:
        raise InputError({"batch": Message("找不到这条关联")})
    candidate = session.get(Candidate, link.candidate_id)
    if candidate.round.published_at is not None:
        raise InputError({"batch": Message("结果已公布，不能再修改关联")})
    session.delete(link)
    audit.record(session, actor, "round_unlink_batch", object_type="round", object_id=candidate.round_id,
                 detail={"candidate": candidate.id, "batch": link.batch_id})


def publish(session: Session, actor: Actor, round_id: int, summary: str) -> Round:
    authorize(actor, "round_publish")
    round_ = _round(session, round_id)
    if round_.plan_fixed_at is None:
        raise InputError({"round": Message("请先确定抽检计划并关联抽检批次")})
    if round_.published_at is not None:
        raise InputError({"round": Message("结果已经公布")})
    selected = [c.id for c in round_.candidates if c.selected]
    linked = set(session.scalars(select(CandidateBatch.candidate_id).where(
        CandidateBatch.candidate_id.in_(selected))))
    missing = [c.food for c in round_.candidates if c.selected and c.id not in linked]
    if missing:
        raise InputError({"round": Message("以下项目还没有关联抽检批次：{foods}", foods="、".join(missing))})
    round_.result_summary = checked("summary", clean_text, summary, "结果说明", min_len=10,
                                    max_len=2000, multiline=True)
    round_.published_at = utcnow()
    voter_notices.results_published(session, round_id)
    audit.record(session, actor, "round_publish", object_type="round", object_id=round_id)
    return round_


def review_flag(session: Session, actor: Actor, flag_id: int, note: str) -> None:
    authorize(actor, "round_flag_review")
    flag = session.get(VoteFlag, flag_id)
    if flag is None:
        raise InputError({"flag": Message("找不到这条提示")})
    flag.review_note = checked("note", clean_text, note, "核查说明", min_len=2, max_len=500)
    flag.reviewed_by = actor.username
    audit.record(session, actor, "round_flag_review", object_type="round", object_id=flag.round_id,
                 detail={"flag": flag_id})


def pending_count(session: Session, round_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Candidate).where(
        Candidate.round_id == round_id, Candidate.status == PENDING)) or 0
