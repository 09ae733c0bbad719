"""Rounds, candidates, votes, links to sampling batches, and flags for officials."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, ForeignKey, ForeignKeyConstraint, Index, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.timeutil import to_local, utcnow

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
CANDIDATE_STATUS_LABELS = {PENDING: "待审核", ACCEPTED: "已通过", REJECTED: "未通过"}


class Round(Base):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    proposal_from: Mapped[date] = mapped_column(Date)
    proposal_to: Mapped[date] = mapped_column(Date)
    vote_from: Mapped[date] = mapped_column(Date)
    vote_to: Mapped[date] = mapped_column(Date)
    results_due: Mapped[date] = mapped_column(Date)        # when results are expected
    sample_count: Mapped[int] = mapped_column(Integer)      # candidates to sample
    daily_votes: Mapped[int] = mapped_column(Integer)       # votes per person per day
    plan_fixed_at: Mapped[datetime | None]
    plan_note: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    result_summary: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    candidates: Mapped[list["Candidate"]] = relationship(
        back_populates="round", order_by="Candidate.id", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def planned_on(self) -> date | None:
        """The local day the plan was fixed: the round's results are batches announced from
        then on (management.link_batch)."""
        return to_local(self.plan_fixed_at).date() if self.plan_fixed_at else None


class Candidate(Base):
    __tablename__ = "round_candidates"
    # (id, round_id) is unique so that a vote's foreign key can name both: the database
    # itself refuses a vote for another round's candidate.
    __table_args__ = (UniqueConstraint("id", "round_id", name="uq_round_candidates_id_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    food: Mapped[str] = mapped_column(String(60))
    place: Mapped[str | None] = mapped_column(String(120))   # where bought / kind of place
    reason: Mapped[str | None] = mapped_column(Text)
    by_citizen: Mapped[bool] = mapped_column(Boolean, default=False)
    proposer_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    moderation_note: Mapped[str | None] = mapped_column(Text)
    selected: Mapped[bool] = mapped_column(Boolean, default=False)   # in the sampling plan
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    round: Mapped[Round] = relationship(back_populates="candidates")


class Vote(Base):
    """One vote. The unique constraint is the rule "one vote per candidate per person per
    day" (days in Asia/Shanghai time); the daily allowance is a guarded counter row."""
    __tablename__ = "round_votes"
    __table_args__ = (
        UniqueConstraint("candidate_id", "voter_hash", "day", name="uq_round_votes_once_a_day"),
        ForeignKeyConstraint(["candidate_id", "round_id"],
                             ["round_candidates.id", "round_candidates.round_id"],
                             name="fk_round_votes_candidate_round", ondelete="CASCADE"),
        Index("ix_round_votes_voter", "voter_hash", "round_id"),
        Index("ix_round_votes_round_candidate", "round_id", "candidate_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer)
    candidate_id: Mapped[int] = mapped_column(Integer)
    voter_hash: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    client_hash: Mapped[str | None] = mapped_column(String(64))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class CandidateBatch(Base):
    """A sampling batch (under 抽检结果) taken for a chosen candidate."""
    __tablename__ = "round_candidate_batches"
    __table_args__ = (UniqueConstraint("candidate_id", "batch_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("round_candidates.id", ondelete="CASCADE"),
                                              index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("sampling_batches.id", ondelete="CASCADE"),
                                          index=True)
    linked_by: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class VoteFlag(Base):
    """An unusual burst (many votes or codes from one address in an hour): shown to officials,
    never used to drop votes silently."""
    __tablename__ = "round_vote_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    key_hash: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    review_note: Mapped[str | None] = mapped_column(Text)
