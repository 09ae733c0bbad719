"""The demo generator: `python -m portal demo --scale small|city|province`.

Seeded, so the same scale gives the same data. Each capability adds a step (a function
(session, ctx) -> rows written) to STEPS and its demo-marked tables to DEMO_TABLES.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
from faker import Faker
from sqlalchemy import delete, func, select

from portal.accounts import audit
from portal.accounts.actions import create_official, find_official
from portal.accounts.models import Official
from portal.accounts.permissions import authorize
from portal.accounts.passwords import random_password
from portal.accounts.rules import Actor
from portal.db import Database
from portal.complaints.models import Complaint, ComplaintEvent, ComplaintFollowUp
from portal.demo.businesses import generate_businesses
from portal.demo.complaints import generate_complaints
from portal.demo.rapid_tests import generate_rapid_tests
from portal.demo.rounds import generate_rounds
from portal.demo.surveys import generate_surveys
from portal.demo.test_rooms import generate_test_rooms
from portal.test_rooms.models import RoomBooking, RoomStaff, TestRoom
from portal.surveys.models import SurveyResponse, SurveyTextAnswer
from portal.rounds.models import Candidate, CandidateBatch, Round, Vote
from portal.demo.lists import generate_lists
from portal.demo.ratings import generate_ratings
from portal.demo.sampling import generate_sampling
from portal.config import load_settings
from portal.meta import get_meta, set_meta
from portal.registry.models import Business
from portal.lists.models import ListEntry
from portal.ratings.models import GradeReply, Incident, Inspection, KitchenDisplay
from portal.rapid_tests.models import RapidMarket, RapidTest
from portal.sampling.models import BatchReview, SamplingBatch
from portal.registry.profiles import JurisdictionProfile
from portal.timeutil import local_today, utcnow

log = logging.getLogger(__name__)

SCALES = {"small": {"businesses": 600, "sampling_batches": 2_000, "complaints": 400, "votes": 3_000,
                    "survey_responses": 1_500, "room_bookings": 300, "rapid_tests": 3_000},
          "city": {"businesses": 20_000, "sampling_batches": 60_000, "complaints": 6_000,
                   "votes": 30_000, "survey_responses": 20_000, "room_bookings": 3_000, "rapid_tests": 83_000},
          "province": {"businesses": 200_000, "sampling_batches": 1_000_000, "complaints": 40_000,
                       "votes": 150_000, "survey_responses": 100_000, "room_bookings": 20_000, "rapid_tests": 415_000}}
# Children before parents, so deleting demo rows never trips a foreign key.
DEMO_TABLES = [RapidTest, RapidMarket, RoomBooking, TestRoom, SurveyResponse, SurveyTextAnswer, CandidateBatch, Vote, Candidate, Round,
               BatchReview, SamplingBatch, Inspection, Incident, KitchenDisplay, GradeReply, ListEntry, ComplaintFollowUp,
               ComplaintEvent,
               Complaint, Business, Official]
DEMO_ACTOR = Actor(None, "system:demo", "演示数据生成器", frozenset({"admin"}))
DEMO_ACCOUNTS = [("demo_admin", "演示管理员", ["admin"]),
                 ("demo_handler", "演示投诉处理员", ["handler"]),
                 ("demo_publisher", "演示数据发布员", ["publisher"]),
                 ("demo_analyst", "演示统计分析员", ["analyst"]),
                 ("demo_tester", "演示快检员", ["tester"])]


@dataclass
class DemoContext:
    profile: JurisdictionProfile
    scale: str
    rng: np.random.Generator
    faker: Faker
    today: date
    now: datetime
    counts: dict[str, int]
    secret_key: str
    written: dict[str, int] = field(default_factory=dict)

    @property
    def businesses(self) -> int:
        return self.counts["businesses"]


STEPS = [("businesses", generate_businesses), ("sampling_batches", generate_sampling),
         ("rating_inspections", generate_ratings), ("list_entries", generate_lists),
         ("complaints", generate_complaints), ("round_votes", generate_rounds),
         ("survey_responses", generate_surveys), ("test_rooms", generate_test_rooms),
         ("rapid_tests", generate_rapid_tests)]


def seed_key(profile: JurisdictionProfile) -> str:
    return f"demo_seeded:{profile.adcode}"


def generate(db: Database, profile: JurisdictionProfile, scale: str = "small",
             seed: int = 20261122, actor: Actor = DEMO_ACTOR,
             counts: dict[str, int] | None = None, secret_key: str | None = None) -> dict[str, int]:
    """`counts` overrides a scale's row counts (benchmarks use a tenth with --quick).
    `secret_key` keys the hashes and encryption of demo personal data, as for real data."""
    authorize(actor, "demo_seed")
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    faker = Faker("zh_CN")
    faker.seed_instance(seed)
    ctx = DemoContext(profile=profile, scale=scale, rng=np.random.default_rng(seed),
                      faker=faker, today=local_today(), now=utcnow(),
                      counts={**SCALES[scale], **(counts or {})},
                      secret_key=secret_key or load_settings().secret_key)
    with db.write() as session:
        for name, step in STEPS:
            ctx.written[name] = step(session, ctx)
            log.info("demo %s: %d rows", name, ctx.written[name])
        set_meta(session, seed_key(profile), f"{scale} {ctx.now.isoformat()}")
        audit.record(session, actor, "demo_seed", object_type="jurisdiction",
                     object_id=profile.adcode, detail={"scale": scale, **ctx.written})
    return ctx.written


def clear(db: Database, actor: Actor = DEMO_ACTOR) -> dict[str, int]:
    """Delete every demo-marked row; real records are untouched."""
    authorize(actor, "demo_clear")
    removed: dict[str, int] = {}
    with db.write() as session:
        for model in DEMO_TABLES:
            result = session.execute(delete(model).where(model.is_demo.is_(True)))
            removed[model.__tablename__] = result.rowcount or 0
        audit.record(session, actor, "demo_clear", detail=removed)
    return removed


def has_demo_data(session) -> bool:
    return any(session.scalar(select(func.count()).select_from(model)
                              .where(model.is_demo.is_(True)).limit(1))
               for model in DEMO_TABLES)


def create_demo_accounts(db: Database, var_dir: Path) -> Path | None:
    """Demo officials with random passwords, written to an owner-only file (never logged)."""
    path = var_dir / "demo_accounts.txt"
    lines = []
    with db.write() as session:
        for username, display, roles in DEMO_ACCOUNTS:
            if find_official(session, username):
                continue
            password = random_password()
            create_official(session, DEMO_ACTOR, {"username": username, "display_name": display,
                                                  "roles": roles, "password": password},
                            is_demo=True)
            lines.append(f"{username}\t{password}\t{'、'.join(roles)}")
            if "tester" in roles:     # the demo tester works at every demo room
                tester = find_official(session, username)
                session.add_all(RoomStaff(room_id=room_id, official_id=tester.id) for room_id in
                                session.scalars(select(TestRoom.id).where(TestRoom.is_demo.is_(True))))
    if not lines:
        return None
    var_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write("# 演示账号（仅用于演示环境；用户名\t密码\t角色）\n" + "\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def seed_on_first_start(db: Database, profile: JurisdictionProfile, scale: str,
                        var_dir: Path, secret_key: str | None = None) -> bool:
    """Fill an empty jurisdiction once. A later `demo --clear` is respected: the marker in
    portal_meta stays, so the next start does not bring the demo data back."""
    with db.read() as session:
        if get_meta(session, seed_key(profile)) is not None:
            return False
    generate(db, profile, scale, secret_key=secret_key)
    path = create_demo_accounts(db, var_dir)
    if path:
        log.warning("演示账号已创建，用户名和随机密码写在 %s（仅本机所有者可读）", path)
    return True
