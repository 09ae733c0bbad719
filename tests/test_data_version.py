"""Pages cache what they read in each process; an official's change made through another
process (another portal process behind nginx, a CLI import) is seen on the next visit, not
after the cache's TTL. Strangers' and citizens' actions do not empty the caches."""
from datetime import date

import pytest

from helpers.db import app_db, official
from helpers.pages import open_page
from portal import data_version
from portal.accounts import audit
from portal.lists.actions import add_list_entry
from portal.registry.models import Business
from sqlalchemy import select


def _black_count(at) -> str:
    return {m.label: m.value for m in at.metric}["黑榜在列"]


def test_a_list_entry_made_elsewhere_shows_on_the_cached_home_page_at_once(app_env):
    first = open_page("streamlit_app.py")
    before = _black_count(first)
    publisher = official(app_env, "publisher")
    db = app_db(app_env)
    with db.write() as session:     # as another process would: no cache of this one is cleared
        business = session.scalars(select(Business).order_by(Business.id)).first()
        add_list_entry(session, publisher, business.id, {
            "kind": "black", "reason": "生产经营致病性微生物超标的食品", "decision_no": "张市监罚〔2026〕99号",
            "authority": "张家界市市场监督管理局", "listed_on": date.today().isoformat()})
    again = open_page("streamlit_app.py")
    assert int(_black_count(again).split()[0]) == int(before.split()[0]) + 1


@pytest.mark.security
def test_failed_sign_ins_and_other_private_actions_leave_the_version_alone(app_env):
    db = app_db(app_env)
    with db.read() as session:
        start = data_version.current(session)
    for action in ("sign_in_failed", "sign_in", "totp_failed", "complaint_reveal_contact"):
        with db.write() as session:
            audit.record(session, None, action, actor_name="stranger")
        with db.read() as session:
            assert data_version.current(session) == start, action
    with db.write() as session:
        audit.record(session, None, "list_add", actor_name="test")
    with db.read() as session:
        changed = data_version.current(session)
    assert changed and changed != start
