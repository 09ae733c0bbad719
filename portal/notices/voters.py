"""你点我检 voter notices: a voter asks, at or after voting, to be told when the round's plan
is made and when the results for the food(s) they voted for are published.

- Opt-in: `request` (the voting page, with the voter's verified phone hash) follows each
  candidate this voter voted for in the round (topic CANDIDATE, subject the candidate's id),
  pending until the one confirmation link is opened; `confirm_together` activates every
  pending candidate follow of the same round with it (one mail, one click). The follow
  names candidates only: nothing links the phone (votes keep only its keyed hash) to the
  address, and unsubscribing erases the address and its follows like any other.
- Events: `plan_made` and `results_published` are written by portal.rounds.management in
  the transaction that fixes the plan / publishes the results (only when someone follows a
  candidate of that round). The worker fans them out to the followers of the round's
  candidates (`subjects`), one delivery per contact.
- Texts: the facts of each message (`plan_facts`, `result_facts`) are worked out apart
  from their wording, and every wording is in TEXTS, keyed by event kind and channel, so
  an SMS template (short, with the gateway's template id) can be added per kind beside the
  e-mail one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, selectinload

from portal.clients import Client
from portal.notices import events
from portal.notices.models import ACTIVE, EMAIL, FOLLOW_CONFIRM, PENDING, Follow, NoticeContact, NoticeEventSubject
from portal.notices.rules import FOLLOWS_PER_CONTACT
from portal.rounds.models import Candidate, CandidateBatch, Round, Vote
from portal.sampling.models import FAILED, SamplingBatch
from portal.validation import InputError, Message

CANDIDATE = "candidate"               # Follow.topic: a 你点我检 candidate one voted for
ROUND_PLAN = "round_plan"             # event ref: the round whose plan was fixed
ROUND_RESULTS = "round_results"       # event ref: the round whose results were published
KINDS = (ROUND_PLAN, ROUND_RESULTS)
MAX_BATCHES = 10                      # batches listed per candidate in one mail

# Every wording of these notices, by event kind and channel. E-mail bodies are plain text;
# the lines come from the facts below. An SMS channel adds its own short template per kind.
TEXTS = {
    FOLLOW_CONFIRM: {EMAIL: {
        "subject": "请确认：你点我检“{round}”的结果通知",
        "body": "您好：\n\n有人用这个邮箱地址在{site}网站申请接收“你点我检”的通知：{round}，投票的食品：{foods}。"
                "如果是您本人，请打开下面的链接确认：\n\n{link}\n\n"
                "确认后，抽检计划确定时和这些食品的抽检结果公布时，我们各发一封邮件告诉您。"
                "如果不是您申请的，请忽略本邮件，我们不会再发给您。"}},
    ROUND_PLAN: {EMAIL: {
        "subject": "你点我检：抽检计划已确定（{round}）",
        "body": "您好：\n\n您投票的“{round}”已确定抽检计划：\n\n{lines}\n{note}\n{next}\n查看本期：{link}",
        "selected": "· {food}：已列入抽检计划",
        "not_selected": "· {food}：本期没有列入抽检计划",
        "note": "\n计划说明：{note}\n",
        "next_selected": "抽检结果预计在 {due} 前公布，公布时我们会再发邮件告诉您结果。",
        "next_none": "您投票的食品本期都没有列入计划，结果公布时不再另行通知。"}},
    ROUND_RESULTS: {EMAIL: {
        "subject": "你点我检结果：{summary}",
        "body": "您好：\n\n“{round}”的抽检结果已经公布。您投票的食品：\n\n{lines}\n\n"
                "不合格结果说明抽检的这一批食品不符合食品安全标准，监管部门会依法核查处置。\n查看本期全部结果：{link}",
        "candidate_passed": "■ {food}：抽检 {n} 批次，全部合格",
        "candidate_failed": "■ {food}：抽检 {n} 批次，其中 {failed} 批次不合格",
        "batch": "  · {food}（{unit}）：{result}\n    {link}",
        "item": "    不合格项目：{item}（检出 {value}，标准 {limit}）",
        "more": "  另有 {n} 批次，请到网站查看。",
        "summary_passed": "{food} 合格",
        "summary_failed": "{food} 不合格"}},
}


def wording(kind: str, channel: str, key: str, **values) -> str:
    return TEXTS[kind][channel][key].format(**values)


def _one_line(value: str | None, most: int = 60) -> str:
    return " ".join(str(value or "").split())[:most]


# --- the voter's opt-in --------------------------------------------------------------------


def voted_candidates(session: Session, round_id: int, voter_hash: str) -> list[Candidate]:
    """The candidates this voter voted for in the round (on any day), in the round's order."""
    return list(session.scalars(select(Candidate).where(Candidate.id.in_(
        select(Vote.candidate_id).where(Vote.round_id == round_id, Vote.voter_hash == voter_hash)))
        .order_by(Candidate.id)))


def request(session: Session, secret_key: str, client: Client, round_id: int, voter_hash: str,
            email: str) -> int:
    """A voter asks to be told about the candidates they voted for in this round: a
    confirmation mail is queued for the ones not yet followed at this address (nothing is
    sent before its link is opened). The number of candidates it covers. The same answer
    whether or not the address already follows them."""
    from portal.notices.follows import _contact, normalise_email, take_request_allowance  # imports this module

    round_ = session.get(Round, round_id)
    if round_ is None:
        raise InputError({"round": Message("找不到这一期“你点我检”")})
    if round_.published_at is not None:
        raise InputError({"round": Message("这一期的结果已经公布，请直接在本页查看")})
    voted = voted_candidates(session, round_id, voter_hash) if voter_hash else []
    if not voted:
        raise InputError({"candidate": Message("投票之后才能订阅结果通知，请先为您关心的食品投票")})
    address = normalise_email(email)
    if address is None:
        raise InputError({"email": Message("请填写有效的电子邮箱地址，例如 name@example.com")})
    take_request_allowance(session, secret_key, client, address)
    contact = _contact(session, secret_key, address)
    existing = {f.subject: f for f in session.scalars(select(Follow).where(
        Follow.contact_id == contact.id, Follow.topic == CANDIDATE,
        Follow.subject.in_([str(c.id) for c in voted])))}
    missing = [c for c in voted if str(c.id) not in existing]
    count = session.scalar(select(func.count()).select_from(Follow).where(Follow.contact_id == contact.id))
    if count + len(missing) > FOLLOWS_PER_CONTACT:
        raise InputError({"limit": Message("一个邮箱最多关注 {n} 项，请先在邮件里的“管理我的关注”中取消一些",
                                           n=FOLLOWS_PER_CONTACT)})
    for candidate in missing:
        follow = Follow(contact_id=contact.id, topic=CANDIDATE, subject=str(candidate.id), status=PENDING)
        session.add(follow)
        existing[follow.subject] = follow
    session.flush()
    pending = [existing[str(c.id)] for c in voted if existing[str(c.id)].status == PENDING]
    if pending:     # one mail for the lot; its link confirms them all (confirm_together)
        events.direct(session, FOLLOW_CONFIRM, pending[0].id, contact.id)
    return len(voted)


def _round_of(session: Session, candidate_id: str) -> int | None:
    return session.scalar(select(Candidate.round_id).where(Candidate.id == int(candidate_id))) \
        if candidate_id.isdigit() else None


def together(session: Session, follow: Follow) -> list[Follow]:
    """The contact's candidate follows of the same round as `follow` (itself included)."""
    round_id = _round_of(session, follow.subject)
    if round_id is None:
        return [follow]
    ids = select(cast(Candidate.id, String)).where(Candidate.round_id == round_id)
    return list(session.scalars(select(Follow).where(
        Follow.contact_id == follow.contact_id, Follow.topic == CANDIDATE, Follow.subject.in_(ids))
        .order_by(Follow.id)))


def confirm_together(session: Session, follow: Follow, now) -> None:
    """Opening one confirmation link confirms every candidate of that round asked for with it."""
    for other in together(session, follow):
        if other.status != ACTIVE:
            other.status, other.confirmed_at = ACTIVE, now


def candidate_label(session: Session, subject: str) -> str:
    """What a candidate follow is about, as the manage page and the mails name it."""
    found = session.execute(select(Candidate.food, Round.title).join(Round, Round.id == Candidate.round_id)
                            .where(Candidate.id == int(subject))).first() if subject.isdigit() else None
    if found is None:
        return "你点我检：（已删除的候选项目）"
    return f"你点我检：{_one_line(found[0], 30)}（{_one_line(found[1], 40)}）"


def confirm_message(session: Session, follow: Follow, link: str, site: str) -> tuple[str, str]:
    round_id = _round_of(session, follow.subject)
    title = _one_line(session.scalar(select(Round.title).where(Round.id == round_id)), 40)
    foods = "、".join(_one_line(session.scalar(select(Candidate.food).where(Candidate.id == int(f.subject))), 30)
                     for f in together(session, follow) if f.status == PENDING or f.id == follow.id)
    return (wording(FOLLOW_CONFIRM, EMAIL, "subject", round=title),
            wording(FOLLOW_CONFIRM, EMAIL, "body", site=site, round=title, foods=foods, link=link))


# --- events, in the round's own transaction -------------------------------------------------


def _followed(session: Session, candidate_ids: list[int]) -> bool:
    return bool(candidate_ids) and session.scalar(select(Follow.id).where(
        Follow.topic == CANDIDATE, Follow.subject.in_([str(i) for i in candidate_ids])).limit(1)) is not None


def plan_made(session: Session, round_id: int) -> int | None:
    """The round's plan was fixed: its voters who asked are told (an event only when any did)."""
    ids = list(session.scalars(select(Candidate.id).where(Candidate.round_id == round_id)))
    return events.record(session, ROUND_PLAN, round_id) if _followed(session, ids) else None


def results_published(session: Session, round_id: int) -> int | None:
    """The round's results were published: the voters of its sampled candidates are told."""
    ids = list(session.scalars(select(Candidate.id).where(Candidate.round_id == round_id,
                                                          Candidate.selected.is_(True))))
    return events.record(session, ROUND_RESULTS, round_id) if _followed(session, ids) else None


def subjects(session: Session, kind: str, round_id: int) -> set[tuple[str, str]]:
    """Fan-out: the plan goes to the followers of any candidate of the round, the results to
    those of the candidates that were sampled."""
    query = select(Candidate.id).where(Candidate.round_id == round_id)
    if kind == ROUND_RESULTS:
        query = query.where(Candidate.selected.is_(True))
    return {(CANDIDATE, str(i)) for i in session.scalars(query)}


# --- the messages ---------------------------------------------------------------------------


@dataclass
class BatchFact:
    id: int
    food: str
    unit: str
    failed: bool
    items: list[tuple[str, str, str]] = field(default_factory=list)   # item, value, limit


@dataclass
class CandidateFact:
    food: str
    selected: bool
    batches: list[BatchFact] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(b.failed for b in self.batches)


def _wanted(session: Session, event_id: int, contact: NoticeContact) -> list[Candidate]:
    """The candidates of this event that this contact follows (active)."""
    ids = select(NoticeEventSubject.subject).where(NoticeEventSubject.event_id == event_id,
                                                   NoticeEventSubject.topic == CANDIDATE)
    followed = [int(s) for s in session.scalars(select(Follow.subject).where(
        Follow.contact_id == contact.id, Follow.topic == CANDIDATE, Follow.status == ACTIVE,
        Follow.subject.in_(ids))) if s.isdigit()]
    return list(session.scalars(select(Candidate).where(Candidate.id.in_(followed or [0])).order_by(Candidate.id)))


def plan_facts(session: Session, event_id: int, contact: NoticeContact) -> list[CandidateFact]:
    return [CandidateFact(c.food, c.selected) for c in _wanted(session, event_id, contact)]


def result_facts(session: Session, event_id: int, contact: NoticeContact) -> list[CandidateFact]:
    out = []
    for candidate in _wanted(session, event_id, contact):
        if not candidate.selected:
            continue
        batches = session.scalars(
            select(SamplingBatch).join(CandidateBatch, CandidateBatch.batch_id == SamplingBatch.id)
            .options(selectinload(SamplingBatch.failed_items))
            .where(CandidateBatch.candidate_id == candidate.id).order_by(SamplingBatch.id))
        out.append(CandidateFact(candidate.food, True, [
            BatchFact(b.id, b.food_name, b.sampled_unit or b.producer_name or "", b.result == FAILED,
                      [(i.item, i.result_value or "—", i.standard_value or "—") for i in b.failed_items])
            for b in batches]))
    return out


def round_link(public_url: str, round_id: int) -> str:
    return f"{public_url or ''}/rounds?round={round_id}"


def batch_link(public_url: str, batch_id: int) -> str:
    return f"{public_url or ''}/sampling?batch={batch_id}&scope=all"


def plan_message(session: Session, event, contact: NoticeContact, public_url: str) -> tuple[str, str] | None:
    round_ = session.get(Round, event.ref_id)
    facts = plan_facts(session, event.id, contact) if round_ is not None else []
    if not facts:
        return None
    words = TEXTS[ROUND_PLAN][EMAIL]
    lines = "\n".join(words["selected" if f.selected else "not_selected"].format(food=_one_line(f.food, 30))
                      for f in facts)
    note = words["note"].format(note=_one_line(round_.plan_note, 300)) if round_.plan_note else ""
    after = (words["next_selected"].format(due=round_.results_due.isoformat()) if any(f.selected for f in facts)
             else words["next_none"])
    title = _one_line(round_.title, 40)
    return (words["subject"].format(round=title),
            words["body"].format(round=title, lines=lines, note=note, next=after,
                                 link=round_link(public_url, round_.id)))


def results_message(session: Session, event, contact: NoticeContact, public_url: str) -> tuple[str, str] | None:
    round_ = session.get(Round, event.ref_id)
    facts = result_facts(session, event.id, contact) if round_ is not None else []
    if not facts:
        return None
    words = TEXTS[ROUND_RESULTS][EMAIL]
    blocks = []
    for fact in facts:
        food = _one_line(fact.food, 30)
        head = (words["candidate_failed"].format(food=food, n=len(fact.batches), failed=fact.failed) if fact.failed
                else words["candidate_passed"].format(food=food, n=len(fact.batches)))
        lines = [head]
        for batch in fact.batches[:MAX_BATCHES]:
            lines.append(words["batch"].format(food=_one_line(batch.food, 40), unit=_one_line(batch.unit, 40),
                                               result=FAILED if batch.failed else "合格",
                                               link=batch_link(public_url, batch.id)))
            lines += [words["item"].format(item=_one_line(i, 60), value=_one_line(v, 40), limit=_one_line(s, 40))
                      for i, v, s in batch.items]
        if len(fact.batches) > MAX_BATCHES:
            lines.append(words["more"].format(n=len(fact.batches) - MAX_BATCHES))
        blocks.append("\n".join(lines))
    summary = "，".join(words["summary_failed" if f.failed else "summary_passed"].format(food=_one_line(f.food, 20))
                       for f in facts[:3]) + (" 等" if len(facts) > 3 else "")
    return (words["subject"].format(summary=summary),
            words["body"].format(round=_one_line(round_.title, 40), lines="\n\n".join(blocks),
                                 link=round_link(public_url, round_.id)))
