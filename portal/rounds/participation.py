"""What citizens do in a round: propose a candidate, vote. Identity is a verified phone's
keyed hash (portal.verification); limits are enforced by the database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import ratelimit
from portal.personal import keyed_hash
from portal.rounds.models import ACCEPTED, PENDING, Candidate, Round, Vote, VoteFlag
from portal.rounds.phases import PROPOSALS, VOTING, phase
from portal.timeutil import to_local, utcnow
from portal.validation import CleanText, InputError, Message, parse

PROPOSALS_PER_DAY = 3
BURST_PER_HOUR = 60      # votes from one address in an hour before officials are told


# Free-text fields of the forms below (checked by clean_text).
FoodText = CleanText("食品名称", min_len=2, max_len=60)
PlaceText = CleanText("购买地点", min_len=2, max_len=120)
ReasonText = CleanText("担心的原因", min_len=10, max_len=500, multiline=True)


class ProposalForm(BaseModel):
    food: FoodText
    place: PlaceText
    reason: ReasonText


def _round(session: Session, round_id: int) -> Round:
    found = session.get(Round, round_id)
    if found is None:
        raise InputError({"round": Message("找不到这一期“你点我检”")})
    return found


def propose(session: Session, round_id: int, voter_hash: str, data: dict,
            now: datetime | None = None) -> Candidate:
    form = parse(ProposalForm, data)
    now = now or utcnow()
    today = to_local(now).date()
    round_ = _round(session, round_id)
    if phase(round_, today) != PROPOSALS:
        raise InputError({"round": Message("这一期现在不在征集阶段，不能提出建议")})
    if not ratelimit.take(session, f"propose:{round_id}", voter_hash, today.isoformat(), PROPOSALS_PER_DAY):
        raise InputError({"limit": Message("每人每天最多提出 {n} 条建议，请明天再来", n=PROPOSALS_PER_DAY)})
    candidate = Candidate(round_id=round_id, food=form.food, place=form.place, reason=form.reason,
                          by_citizen=True, proposer_hash=voter_hash, status=PENDING,
                          created_at=now)
    session.add(candidate)
    session.flush()
    return candidate


@dataclass(frozen=True)
class VoteResult:
    candidate_id: int
    used_today: int
    allowance: int


def vote(session: Session, secret: str, round_id: int, candidate_id: int, voter_hash: str,
         client_address: str = "", now: datetime | None = None, is_demo: bool = False) -> VoteResult:
    """One vote, or InputError saying why not. The database refuses a second vote for the
    same candidate the same day (unique constraint), a candidate of another round (foreign
    key on candidate and round), and more than the daily allowance (guarded counter)."""
    now = now or utcnow()
    today = to_local(now).date()
    round_ = _round(session, round_id)
    if phase(round_, today) != VOTING:
        raise InputError({"round": Message("这一期现在不在投票阶段")})
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or candidate.round_id != round_id or candidate.status != ACCEPTED:
        raise InputError({"candidate": Message("这一项不是本期的候选项目，请从列表中选择")})
    try:
        with session.begin_nested():
            session.add(Vote(round_id=round_id, candidate_id=candidate_id, voter_hash=voter_hash,
                             day=today, at=now, is_demo=is_demo,
                             client_hash=keyed_hash(secret, "address", client_address)
                             if client_address else None))
            session.flush()
    except IntegrityError:
        raise InputError({"candidate": Message("您今天已经为这一项投过票了，明天可以再投")}) from None
    day = today.isoformat()
    if not ratelimit.take(session, f"vote:{round_id}", voter_hash, day, round_.daily_votes):
        raise InputError({"limit": Message("本期每人每天最多投 {n} 票，您今天的票已用完，明天再来",
                                           n=round_.daily_votes)})
    if client_address:
        _watch_bursts(session, secret, round_id, client_address, now)
    return VoteResult(candidate_id, ratelimit.used(session, f"vote:{round_id}", voter_hash, day),
                      round_.daily_votes)


def _watch_bursts(session: Session, secret: str, round_id: int, address: str, now: datetime) -> None:
    hour = now.isoformat()[:13]
    key = keyed_hash(secret, "address", address)
    count = ratelimit.increment(session, f"votes-hour:{round_id}", key, hour)
    if count == BURST_PER_HOUR:   # told once per address and hour; votes are still counted
        session.add(VoteFlag(round_id=round_id, kind="address_burst", key_hash=key, period=hour,
                             count=count, at=now))


def votes_left(session: Session, round_: Round, voter_hash: str, today: date) -> int:
    return max(0, round_.daily_votes - ratelimit.used(session, f"vote:{round_.id}", voter_hash,
                                                      today.isoformat()))


def voted_today(session: Session, round_id: int, voter_hash: str, today: date) -> set[int]:
    return set(session.scalars(select(Vote.candidate_id).where(
        Vote.round_id == round_id, Vote.voter_hash == voter_hash, Vote.day == today)))
