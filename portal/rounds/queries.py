"""Reading rounds: tallies, the plan with its sampling results, a person's own records."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from portal.rounds.models import ACCEPTED, Candidate, CandidateBatch, Round, Vote, VoteFlag
from portal.sampling.models import SamplingBatch


@dataclass(frozen=True)
class Tally:
    candidate_id: int
    food: str
    place: str | None
    votes: int
    selected: bool


def tallies(session: Session, round_id: int) -> list[Tally]:
    """Accepted candidates with their exact vote counts (COUNT in SQL), most votes first."""
    counts = select(Vote.candidate_id, func.count().label("n")).where(Vote.round_id == round_id) \
        .group_by(Vote.candidate_id).subquery()
    rows = session.execute(
        select(Candidate.id, Candidate.food, Candidate.place, func.coalesce(counts.c.n, 0),
               Candidate.selected)
        .outerjoin(counts, counts.c.candidate_id == Candidate.id)
        .where(Candidate.round_id == round_id, Candidate.status == ACCEPTED)
        .order_by(func.coalesce(counts.c.n, 0).desc(), Candidate.id)).all()
    return [Tally(*row) for row in rows]


def rounds(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).order_by(Round.vote_from.desc(), Round.id.desc())))


def get_round(session: Session, round_id: int) -> Round | None:
    return session.scalar(select(Round).options(selectinload(Round.candidates))
                          .where(Round.id == round_id))


def voters(session: Session, round_id: int) -> tuple[int, int]:
    """(votes, distinct voters) of a round."""
    row = session.execute(select(func.count(), func.count(func.distinct(Vote.voter_hash)))
                          .where(Vote.round_id == round_id)).one()
    return int(row[0]), int(row[1])


@dataclass(frozen=True)
class PlannedResult:
    candidate: Candidate
    votes: int
    batches: list[SamplingBatch]


def plan_results(session: Session, round_id: int) -> list[PlannedResult]:
    """Each selected candidate with its linked batches (result, failed items, 核查处置)."""
    votes = {t.candidate_id: t.votes for t in tallies(session, round_id)}
    out = []
    for candidate in session.scalars(select(Candidate).where(
            Candidate.round_id == round_id, Candidate.selected.is_(True)).order_by(Candidate.id)):
        batches = list(session.scalars(
            select(SamplingBatch).join(CandidateBatch, CandidateBatch.batch_id == SamplingBatch.id)
            .options(selectinload(SamplingBatch.failed_items), selectinload(SamplingBatch.disposal))
            .where(CandidateBatch.candidate_id == candidate.id).order_by(SamplingBatch.id)))
        out.append(PlannedResult(candidate, votes.get(candidate.id, 0), batches))
    out.sort(key=lambda r: -r.votes)
    return out


def links(session: Session, candidate_id: int) -> list[tuple[int, int, str]]:
    """(link id, batch id, food name) of a candidate's linked batches."""
    return list(session.execute(
        select(CandidateBatch.id, SamplingBatch.id, SamplingBatch.food_name)
        .join(SamplingBatch, SamplingBatch.id == CandidateBatch.batch_id)
        .where(CandidateBatch.candidate_id == candidate_id).order_by(CandidateBatch.id)).all())


@dataclass(frozen=True)
class MyRecords:
    proposals: list[tuple[str, str, str, str | None]]   # round title, food, status, note
    votes: list[tuple[str, str, date]]                  # round title, food, day


def my_records(session: Session, voter_hash: str) -> MyRecords:
    proposals = session.execute(
        select(Round.title, Candidate.food, Candidate.status, Candidate.moderation_note)
        .join(Round, Round.id == Candidate.round_id)
        .where(Candidate.proposer_hash == voter_hash).order_by(Candidate.id.desc())).all()
    votes = session.execute(
        select(Round.title, Candidate.food, Vote.day)
        .join(Candidate, Candidate.id == Vote.candidate_id).join(Round, Round.id == Vote.round_id)
        .where(Vote.voter_hash == voter_hash).order_by(Vote.day.desc(), Vote.id.desc()).limit(200)).all()
    return MyRecords([tuple(r) for r in proposals], [tuple(r) for r in votes])


def flags(session: Session, round_id: int) -> list[VoteFlag]:
    return list(session.scalars(select(VoteFlag).where(VoteFlag.round_id == round_id)
                                .order_by(VoteFlag.at.desc())))


def pending(session: Session, round_id: int) -> list[Candidate]:
    return list(session.scalars(select(Candidate).where(
        Candidate.round_id == round_id, Candidate.status == "pending").order_by(Candidate.id)))


def search_batches(session: Session, keyword: str, limit: int = 30,
                   announced_from: date | None = None) -> list[SamplingBatch]:
    """Batches to link: by food name or sampled unit, newest first; announced_from: only
    those published on or after that day (the plan's: management.link_batch refuses older
    ones)."""
    from portal.validation import clean_query

    q = clean_query(keyword, 30)
    if not q:
        return []
    query = select(SamplingBatch).where((SamplingBatch.food_name.contains(q, autoescape=True)) |
                                        (SamplingBatch.sampled_unit.contains(q, autoescape=True)))
    if announced_from is not None:
        query = query.where(SamplingBatch.announcement_date.is_(None)
                            | (SamplingBatch.announcement_date >= announced_from))
    return list(session.scalars(
        query.order_by(SamplingBatch.announcement_date.desc().nulls_last(), SamplingBatch.id.desc())
        .limit(limit)))


def year_votes(session: Session, start: date, end: date) -> tuple[int, int, bool]:
    """(votes, voters, any demo) cast between two days, for the home page."""
    row = session.execute(select(func.count(), func.count(func.distinct(Vote.voter_hash)),
                                 func.max(case((Vote.is_demo.is_(True), 1), else_=0)))
                          .where(Vote.day >= start, Vote.day <= end)).one()
    return int(row[0] or 0), int(row[1] or 0), bool(row[2])


def rounds_for_batches(session: Session, batch_ids: list[int]) -> dict[int, tuple[int, str]]:
    """batch id -> (round id, round title) for batches sampled in a 你点我检 round."""
    if not batch_ids:
        return {}
    rows = session.execute(
        select(CandidateBatch.batch_id, Round.id, Round.title)
        .join(Candidate, Candidate.id == CandidateBatch.candidate_id)
        .join(Round, Round.id == Candidate.round_id)
        .where(CandidateBatch.batch_id.in_(batch_ids))).all()
    return {batch: (round_id, title) for batch, round_id, title in rows}
