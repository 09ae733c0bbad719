"""The one table of who may run which official action (portal/accounts/permissions.py): every
action in it is audited under that name, every official action checks it before it writes, and
no role is checked anywhere else."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers.complaints import add_business
from portal import signs
from portal.accounts import actions, audit, identities, second_factor
from portal.accounts.permissions import ADMIN, PERMISSIONS, PermissionDenied, authorize
from portal.accounts.rules import ROLES, Actor
from portal.complaints import deadlines, handling, retention, templates
from portal.db import Base
from portal.demo import generator
from portal.importers.rapid_tests import import_rapid_tests
from portal.importers.registry import import_registry
from portal.importers.sampling import import_sampling
from portal.lists import actions as list_actions
from portal.rapid_tests.actions import update_follow_up
from portal.ratings import actions as rating_actions, replies
from portal.registry.actions import update_business
from portal.rounds import management
from portal.sampling import reviews
from portal.sampling.disposal import update_disposal
from portal.test_rooms import actions as room_actions
from portal.test_rooms.importer import import_rooms

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parents[1]
IDENTITY = {"issuer": "https://id.example.gov.cn", "subject": "user-1"}
CSV = "名称,地址\n示例店,示例路1号\n".encode("utf-8")

# Each official action, called as a page or the CLI calls it: (portal, session, actor, id).
# `id` is an existing business, so an unguarded edit would really write.
CALLS = {
    "official_create": lambda p, s, a, i: actions.create_official(s, a, {
        "username": "intruder", "display_name": "某人", "roles": ["admin"],
        "password": "Intruder-pass-word-1"}),
    "official_enable": lambda p, s, a, i: actions.set_active(s, a, "admin1", True),
    "official_disable": lambda p, s, a, i: actions.set_active(s, a, "admin1", False),
    "official_reset_password": lambda p, s, a, i: actions.reset_password(s, a, "admin1"),
    "official_set_roles": lambda p, s, a, i: actions.set_roles(s, a, "admin1", ["analyst"]),
    "official_unlock": lambda p, s, a, i: actions.unlock(s, a, "admin1"),
    "official_set_email": lambda p, s, a, i: actions.set_email(s, a, "admin1", "admin@example.gov.cn"),
    "official_end_sessions": lambda p, s, a, i: actions.end_sessions(s, a, "admin1"),
    "official_link_identity": lambda p, s, a, i: identities.link(s, a, "admin1", IDENTITY),
    "official_unlink_identity": lambda p, s, a, i: identities.unlink(s, a, IDENTITY),
    "totp_reset": lambda p, s, a, i: actions.reset_second_factor(s, a, "admin1"),
    "official_change_password": lambda p, s, a, i: actions.change_own_password(
        s, a, "Admin-pass-word", "Another-pass-word-2", "Another-pass-word-2"),
    "totp_enrol": lambda p, s, a, i: second_factor.enrol(s, "key", a, "JBSWY3DPEHPK3PXP", "123456"),
    "demo_seed": lambda p, s, a, i: generator.generate(p.db, p.profile, actor=a),
    "demo_clear": lambda p, s, a, i: generator.clear(p.db, actor=a),
    "sampling_import": lambda p, s, a, i: import_sampling(s, a, CSV, "x.csv", p.profile),
    "businesses_import": lambda p, s, a, i: import_registry(s, a, CSV, "x.csv", "businesses",
                                                            p.profile),
    "grades_import": lambda p, s, a, i: import_registry(s, a, CSV, "x.csv", "grades", p.profile),
    "lists_import": lambda p, s, a, i: import_registry(s, a, CSV, "x.csv", "lists", p.profile),
    "business_update": lambda p, s, a, i: update_business(s, a, i, {"name": "改名"}, p.profile),
    "inspection_add": lambda p, s, a, i: rating_actions.add_inspection(s, a, i, {"score": 9}),
    "kitchen_set": lambda p, s, a, i: rating_actions.set_kitchen(s, a, i, {"kind": "透明厨房"}),
    "list_add": lambda p, s, a, i: list_actions.add_list_entry(s, a, i, {"kind": "red"}),
    "list_remove": lambda p, s, a, i: list_actions.remove_list_entry(s, a, 1, None, "整改到位"),
    "sign_print": lambda p, s, a, i: signs.print_signs(s, a, base_url="http://x", secret_key="k" * 32,
                                                      bureau="局", business_id=i),
    "grade_reply_enter": lambda p, s, a, i: replies.enter_reply(s, a, i, {"text": "我们已整改", "received_on": None}),
    "grade_reply_moderate": lambda p, s, a, i: replies.moderate_reply(s, a, 1, True),
    "review_record": lambda p, s, a, i: reviews.record_application(s, a, 1, {"kind": "retest"}),
    "review_decide": lambda p, s, a, i: reviews.record_outcome(s, a, 1, "overturned", None),
    "disposal_update": lambda p, s, a, i: update_disposal(s, a, 1, {"status": "checking"}),
    "rapid_tests_import": lambda p, s, a, i: import_rapid_tests(s, a, CSV, "x.csv"),
    "rapid_follow_up_update": lambda p, s, a, i: update_follow_up(s, a, 1, {"review": "confirmed"}),
    "round_create": lambda p, s, a, i: management.create_round(s, a, {}),
    "candidate_add": lambda p, s, a, i: management.add_candidate(s, a, 1, {}),
    "candidate_moderate": lambda p, s, a, i: management.moderate(s, a, 1, True),
    "round_plan": lambda p, s, a, i: management.fix_plan(s, a, 1, [1]),
    "round_link_batch": lambda p, s, a, i: management.link_batch(s, a, 1, 1),
    "round_unlink_batch": lambda p, s, a, i: management.unlink_batch(s, a, 1),
    "round_publish": lambda p, s, a, i: management.publish(s, a, 1, "结果说明"),
    "round_flag_review": lambda p, s, a, i: management.review_flag(s, a, 1, "已核查"),
    "complaint_accept": lambda p, s, a, i: handling.accept(s, a, 1),
    "complaint_refuse": lambda p, s, a, i: handling.refuse(s, a, 1, "ground"),
    "complaint_assign": lambda p, s, a, i: handling.assign(s, a, 1, "市场监管所"),
    "complaint_note": lambda p, s, a, i: handling.add_note(s, a, 1, "内部备注"),
    "complaint_request_info": lambda p, s, a, i: handling.request_information(s, a, 1, "请补充照片"),
    "complaint_reply": lambda p, s, a, i: handling.reply(s, a, 1, "已经核查处理"),
    "complaint_close": lambda p, s, a, i: handling.close(s, a, 1, "属实", "已经核查处理"),
    "complaint_extend": lambda p, s, a, i: handling.extend(s, a, 1, "情况复杂"),
    "complaint_merge": lambda p, s, a, i: handling.merge(s, a, 1, "T1"),
    "complaint_priority": lambda p, s, a, i: handling.set_priority(s, a, 1, "urgent"),
    "complaint_reveal_contact": lambda p, s, a, i: handling.reveal_contact(s, a, 1, "k", "回访"),
    "complaint_rules_update": lambda p, s, a, i: deadlines.set_rule_numbers(s, a, "x", {}),
    "holidays_enter": lambda p, s, a, i: deadlines.enter_year(s, a, [], "国务院通知"),
    "complaint_templates_update": lambda p, s, a, i: templates.save_templates(s, a, []),
    "complaint_erase_personal": lambda p, s, a, i: retention.erase_expired(s, 3, actor=a),
    "test_rooms_import": lambda p, s, a, i: import_rooms(s, a, CSV, "rooms.csv", p.profile),
    "test_room_save": lambda p, s, a, i: room_actions.save_room(s, a, {"name": "某快检室"}, p.profile),
    "test_room_staff_set": lambda p, s, a, i: room_actions.set_staff(s, a, 1, []),
    "test_room_result": lambda p, s, a, i: room_actions.record_result(s, a, 1, {"result": "negative"}),
    "test_room_erase_personal": lambda p, s, a, i: room_actions.erase_expired(s, 1, actor=a),
}
# Actions that run under more than one entry point: each entry point is checked too.
MORE_CALLS = [
    ("complaint_assign", lambda p, s, a, i: handling.bulk_assign(s, a, [1], "市场监管所")),
    ("totp_reset", lambda p, s, a, i: second_factor.reset(
        s, a, actions.find_official(s, "admin1"))),
]


def lacking(action: str) -> Actor | None:
    """An official with every role but the one the action needs (and not admin); for an
    action open to any official, nobody signed in."""
    role = PERMISSIONS[action]
    if role is None:
        return None
    return Actor(None, "nobody", "无此角色", frozenset(set(ROLES) - {role, ADMIN}))


def row_counts(portal) -> dict[str, int]:
    with portal.db.read() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables}


def test_every_action_in_the_table_is_an_audited_action_with_a_known_role():
    assert set(PERMISSIONS) <= set(audit.ACTION_LABELS)
    assert {r for r in PERMISSIONS.values() if r is not None} <= set(ROLES)


def test_every_action_in_the_table_is_checked_here():
    assert set(CALLS) == set(PERMISSIONS)


def test_an_action_outside_the_table_is_an_error_not_a_yes():
    with pytest.raises(KeyError):
        authorize(Actor(None, "a", "管理员", frozenset({ADMIN})), "no_such_action")


def test_the_message_names_the_role_and_the_action():
    with pytest.raises(PermissionDenied, match="需要“数据发布”角色才能列入红黑榜"):
        authorize(lacking("list_add"), "list_add")
    with pytest.raises(PermissionDenied, match="请先登录"):
        authorize(None, "official_change_password")


@pytest.mark.parametrize("action, call", [*CALLS.items(), *MORE_CALLS],
                         ids=[*CALLS, *(f"{a}-more" for a, _ in MORE_CALLS)])
def test_each_official_action_refuses_an_actor_without_its_role(portal, action, call):
    from helpers.db import official

    official(portal, "admin")
    business_id = add_business(portal)
    before = row_counts(portal)
    with portal.db.write() as session:
        with pytest.raises(PermissionDenied):
            call(portal, session, lacking(action), business_id)
        assert not (session.new or session.dirty or session.deleted)
    assert row_counts(portal) == before


# Role checks outside the table: each line is navigation or display, never an action.
ALLOWED_ROLE_CHECKS = {
    "portal/accounts/rules.py",      # Actor.may itself: admins may do everything
    "portal/accounts/permissions.py",
    "portal/ui/layout.py",           # page_setup's page-level gate (who sees the page)
    "portal/ui/nav.py",              # which pages the sidebar lists
    "pages/overview.py",             # which figures the overview shows (reads only)
}
ROLE_CHECK = re.compile(r"\.may\(|\bin\s+(?:self|actor|ctx\.actor)\.roles\b|PermissionDenied\(")


def test_roles_are_checked_only_in_the_permissions_table():
    found = []
    for path in [*ROOT.glob("portal/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "streamlit_app.py"]:
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED_ROLE_CHECKS or not path.exists():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if ROLE_CHECK.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "role checks outside portal/accounts/permissions.py:\n" + "\n".join(found)
