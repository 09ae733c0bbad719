"""A round's phase on a given (Asia/Shanghai) day: 征集 → 投票 → 抽检中 → 已公布."""
from __future__ import annotations

from datetime import date

UPCOMING, PROPOSALS, REVIEW, VOTING, SAMPLING, PUBLISHED = (
    "upcoming", "proposals", "review", "voting", "sampling", "published")
PHASE_LABELS = {UPCOMING: "即将开始", PROPOSALS: "征集中", REVIEW: "征集结束，即将投票",
                VOTING: "投票中", SAMPLING: "抽检中", PUBLISHED: "已公布"}
TIMELINE = [(PROPOSALS, "征集"), (VOTING, "投票"), (SAMPLING, "抽检中"), (PUBLISHED, "已公布")]
STEP = {UPCOMING: -1, PROPOSALS: 0, REVIEW: 0, VOTING: 1, SAMPLING: 2, PUBLISHED: 3}


def phase(round_, today: date) -> str:
    if round_.published_at is not None:
        return PUBLISHED
    if today < round_.proposal_from:
        return UPCOMING
    if today <= round_.proposal_to:
        return PROPOSALS
    if today < round_.vote_from:
        return REVIEW
    if today <= round_.vote_to:
        return VOTING
    return SAMPLING
