"""Who may run which official action: one table, and the one check every action makes.

The names are the audit log's action names (data/accounts/audit_labels.json), so the check,
the audit row and the label an admin reads all share one word. Admins may run every action
(Actor.may). A role of None means any signed-in official (their own password, their own
second factor). Citizens' actions (filing a complaint, voting, answering the survey) have no
actor and are not in this table: rate limits and verification guard them.

Pages keep their own role gates (portal.ui.layout.page_setup), which only decide what is
shown; the action itself always calls authorize().
"""
from __future__ import annotations

from portal.accounts.audit import ACTION_LABELS
from portal.accounts.rules import ROLES, Actor

ADMIN, HANDLER, PUBLISHER, TESTER = "admin", "handler", "publisher", "tester"
ANY_OFFICIAL = None

PERMISSIONS: dict[str, str | None] = {
    # accounts (portal/accounts/actions.py, identities.py, second_factor.py)
    "official_create": ADMIN,
    "official_enable": ADMIN,
    "official_disable": ADMIN,
    "official_reset_password": ADMIN,
    "official_set_roles": ADMIN,
    "official_set_email": ADMIN,
    "official_unlock": ADMIN,
    "official_end_sessions": ADMIN,
    "official_link_identity": ADMIN,
    "official_unlink_identity": ADMIN,
    "totp_reset": ADMIN,
    "official_change_password": ANY_OFFICIAL,
    "totp_enrol": ANY_OFFICIAL,
    # demo data (portal/demo/generator.py)
    "demo_seed": ADMIN,
    "demo_clear": ADMIN,
    # importers (portal/importers/)
    "sampling_import": PUBLISHER,
    "businesses_import": PUBLISHER,
    "grades_import": PUBLISHER,
    "lists_import": PUBLISHER,
    # single-entry edits (portal/registry, ratings, lists actions.py)
    "business_update": PUBLISHER,
    "inspection_add": PUBLISHER,
    "kitchen_set": PUBLISHER,
    "list_add": PUBLISHER,
    "list_remove": PUBLISHER,
    # 公示牌 (portal/signs.py): printing issues signed sticker codes
    "sign_print": PUBLISHER,
    # the business's reply on its grade (portal/ratings/replies.py)
    "grade_reply_enter": PUBLISHER,
    "grade_reply_moderate": PUBLISHER,
    # 核查处置 (portal/sampling/disposal.py)
    "disposal_update": PUBLISHER,
    # 复检 / 异议 (portal/sampling/reviews.py)
    "review_record": PUBLISHER,
    "review_decide": PUBLISHER,
    # 快检 results (portal/importers/rapid_tests.py, portal/rapid_tests/actions.py)
    "rapid_tests_import": PUBLISHER,
    "rapid_follow_up_update": PUBLISHER,
    # 你点我检 (portal/rounds/management.py)
    "round_create": PUBLISHER,
    "candidate_add": PUBLISHER,
    "candidate_moderate": PUBLISHER,
    "round_plan": PUBLISHER,
    "round_link_batch": PUBLISHER,
    "round_unlink_batch": PUBLISHER,
    "round_publish": PUBLISHER,
    "round_flag_review": PUBLISHER,
    # complaints handling (portal/complaints/handling.py)
    "complaint_accept": HANDLER,
    "complaint_refuse": HANDLER,
    "complaint_assign": HANDLER,
    "complaint_note": HANDLER,
    "complaint_request_info": HANDLER,
    "complaint_reply": HANDLER,
    "complaint_close": HANDLER,
    "complaint_extend": HANDLER,
    "complaint_merge": HANDLER,
    "complaint_priority": HANDLER,
    "complaint_reveal_contact": HANDLER,
    # complaint rules (portal/complaints/deadlines.py, templates.py, retention.py)
    "complaint_rules_update": ADMIN,
    "holidays_enter": ADMIN,
    "complaint_templates_update": ADMIN,
    "complaint_erase_personal": ADMIN,
    # 快检室 (portal/test_rooms/): the list of rooms, each booking's result, the bookers' phones
    "test_rooms_import": PUBLISHER,
    "test_room_save": PUBLISHER,
    "test_room_staff_set": PUBLISHER,
    "test_room_result": TESTER,
    "test_room_erase_personal": ADMIN,
}


class PermissionDenied(PermissionError):
    """The actor lacks the role the action needs (message in Chinese)."""


def authorize(actor: Actor | None, action: str) -> None:
    """Raise PermissionDenied unless `actor` may run `action` (a key of PERMISSIONS).
    An action missing from the table is a programming error, never a silent yes."""
    if action not in PERMISSIONS:
        raise KeyError(f"action {action!r} is not in portal.accounts.permissions.PERMISSIONS")
    role = PERMISSIONS[action]
    label = ACTION_LABELS.get(action, action)
    if actor is None:
        raise PermissionDenied(f"请先登录后再{label}")
    if not actor.may(role):
        raise PermissionDenied(f"需要“{ROLES[role]}”角色才能{label}")


def is_admin(actor: Actor) -> bool:
    """Admins run every action, in every data scope (a room, ...)."""
    return "admin" in actor.roles


def authorize_in_scope(actor: Actor | None, action: str, in_scope: bool, scope: str) -> None:
    """authorize(), then the data scope the caller looked up (e.g. "这个快检室的检测人员"): an
    official with the role but outside the scope is refused too; admins are in every scope."""
    authorize(actor, action)
    if not in_scope and not is_admin(actor):
        raise PermissionDenied(f"只有{scope}才能{ACTION_LABELS.get(action, action)}")

