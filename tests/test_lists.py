"""Red and black lists: dates from the rules, expiry at the boundary, public page, history."""
import os
from datetime import date

from sqlalchemy import select

from portal.lists import queries
from portal.lists.models import BLACK, RED, ListEntry
from portal.lists.rules import add_years, default_dates, is_active
from test_business_pages import open_business
from helpers.pages import open_page, texts


def test_default_dates_follow_the_rules():
    assert default_dates(BLACK, date(2024, 2, 29)) == (date(2025, 2, 28), date(2027, 2, 28))
    assert default_dates(RED, date(2025, 6, 1)) == (None, date(2026, 6, 1))
    assert add_years(date(2023, 3, 1), 3) == date(2026, 3, 1)


def test_entry_leaves_the_list_on_its_end_date():
    ends = date(2026, 11, 22)
    assert is_active(None, ends, date(2026, 11, 21))
    assert not is_active(None, ends, date(2026, 11, 22))
    assert not is_active(date(2026, 1, 1), ends, date(2026, 6, 1))  # removed early
    assert is_active(None, None, date(2030, 1, 1))


def _entry(kind, name, listed, ends, removed=None):
    return ListEntry(kind=kind, business_name=name, reason="测试", authority="测试局",
                     listed_on=listed, ends_on=ends, removed_on=removed)


def test_public_list_shows_active_entries_only(portal):
    today = date(2026, 11, 22)
    with portal.db.write() as session:
        session.add_all([_entry(BLACK, "在列甲", date(2025, 1, 1), date(2028, 1, 1)),
                         _entry(BLACK, "期满乙", date(2023, 1, 1), today),
                         _entry(BLACK, "提前移出丙", date(2024, 1, 1), date(2027, 1, 1), date(2025, 3, 1)),
                         _entry(RED, "红榜丁", date(2026, 1, 1), date(2027, 1, 1))])
    with portal.db.read() as session:
        black = [e.business_name for e in queries.active_entries(session, BLACK, "430800", today)]
        assert black == ["在列甲"]
        assert queries.active_counts(session, "430800", today) == {"black": 1, "red": 1}
        assert [e.business_name for e in queries.active_entries(
            session, BLACK, "430800", today, q="甲")] == ["在列甲"]


def test_lists_page_and_business_history(app_env):
    at = open_page("pages/lists.py")
    assert not at.exception
    body = texts(at)
    assert "严重违法失信名单" in body and "演示数据" in body
    from portal.db import Database
    db = Database(os.environ["PORTAL_DATABASE_URL"])
    with db.read() as session:
        entry = session.scalar(select(ListEntry).where(ListEntry.kind == BLACK,
                                                       ListEntry.business_id.is_not(None)).limit(1))
    business = open_business({"id": str(entry.business_id)})
    assert not business.exception
    assert "红黑榜记录" in texts(business)


def test_a_long_list_shows_its_first_cards_then_the_rest_on_request(app_env):
    """A surge reads the top of the list: the first 20 cards of a list are drawn, and a button
    says how many more there are and shows them."""
    from portal.db import Database
    from portal.timeutil import local_today

    today = local_today()
    db = Database(os.environ["PORTAL_DATABASE_URL"])
    with db.write() as session:
        session.add_all([_entry(BLACK, f"分页单位{i:02d}", today, date(today.year + 3, 1, 1))
                         for i in range(25)])
    with db.read() as session:
        in_force = len(queries.active_entries(session, BLACK, "430800", today))
    at = open_page("pages/lists.py")
    assert not at.exception
    # Newest first: the 20 cards drawn are 20 of the new entries, the other five wait.
    assert sum(f"分页单位{i:02d}" in texts(at) for i in range(25)) == 20
    more = [b for b in at.button if b.label.startswith("显示其余")]
    assert [b.label for b in more] == [f"显示其余 {in_force - 20} 家"]
    more[0].click().run()
    assert sum(f"分页单位{i:02d}" in texts(at) for i in range(25)) == 25
    assert not [b for b in at.button if b.label.startswith("显示其余")]


def test_a_second_search_replaces_the_first_and_clearing_brings_the_lists_back(app_env):
    """Typing one keyword after another: each search is the one typed (the box once went back
    to the previous keyword on every second edit), and the address keeps it for sharing."""
    at = open_page("pages/lists.py")
    box = at.text_input[0]
    full = texts(at)
    box.input("超市").run()
    assert at.text_input[0].value == "超市" and at.query_params["q"] == "超市"
    at.text_input[0].input("火锅").run()
    assert at.text_input[0].value == "火锅" and at.query_params["q"] == "火锅"
    at.text_input[0].input("").run()
    assert at.text_input[0].value == "" and texts(at) == full


def test_a_shared_search_link_opens_with_its_keyword(app_env):
    at = open_page("pages/lists.py", {"q": "超市"})
    assert at.text_input[0].value == "超市"
