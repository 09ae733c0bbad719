"""Where following is offered (issue 18: the business page, 抽检结果, after filing a complaint,
after voting), and what a citizen is told where the deployment sends no mail: nothing about
mail on the public pages, and the about page says which notices there are (and the feeds)."""
from __future__ import annotations

from sqlalchemy import select

from conftest import ROOT
from helpers.complaints import add_business
from helpers.mailbox import links_in
from helpers.pages import open_page, texts
from helpers.rounds import move_to, round_with_candidates
from portal.notices import delivery
from portal.notices.models import ACTIVE, BUSINESS, Follow
from test_notices import local, mailbox, notify_env, web  # noqa: F401 (fixtures)
from test_round_pages import _verify

MAIL_OFFER = "发邮件告诉我"


def _mail_offers(at) -> list[str]:
    return [e.label for e in at.expander if MAIL_OFFER in e.label]


def test_after_filing_a_complaint_the_business_can_be_followed(notify_env, mailbox):
    from streamlit.testing.v1 import AppTest

    from test_complaint_pages import _fill, _submit

    portal, settings = notify_env
    business_id = add_business(portal, "张家界示例米粉店")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    at.session_state["c_business"] = business_id
    at.switch_page("pages/complaint.py").run()
    _fill(at, "在米粉里吃出一根头发，米粉店后厨也不干净。")
    _submit(at)
    assert not at.exception, at.exception
    assert "我们已收到您的投诉" in texts(at)
    assert "您还可以关注这家商户" in texts(at)
    next(t for t in at.text_input if t.label == "电子邮箱").input("neighbour@example.com")
    next(b for b in at.button if b.label == "发送确认邮件").click()
    at.run()
    assert not at.exception, at.exception
    assert any("确认邮件已发出" in s.value for s in at.success)
    assert at.code[0].value.startswith("TS")          # the receipt is still there
    delivery.run_once(portal.db, settings)
    [confirmation] = mailbox.wait_for(1)
    assert "张家界示例米粉店" in confirmation["Subject"]
    link = next(x for x in links_in(confirmation) if "/notices/confirm" in x)
    web(portal, settings).post(local(link), data={"do": "confirm"})
    with portal.db.read() as session:
        assert session.execute(select(Follow.topic, Follow.subject, Follow.status)).one() == (
            BUSINESS, str(business_id), ACTIVE)


def test_the_about_page_lists_the_notices_this_deployment_mails(notify_env):
    at = open_page("pages/about.py")
    assert not at.exception, at.exception
    shown = texts(at)
    assert "本站可以用电子邮件通知您" in shown and "你点我检：投票之后留下邮箱" in shown
    assert "feeds/sampling.atom" in shown


def test_without_a_mail_server_no_page_offers_mail_and_the_about_page_says_so(app_env):
    from helpers.db import official

    about = open_page("pages/about.py")
    shown = texts(about)
    assert "本站目前不发送邮件通知" in shown and "feeds/rounds.atom" in shown
    assert "本站可以用电子邮件通知您" not in shown
    for path, params in (("pages/sampling.py", {}), ("pages/business.py", {"id": "1"})):
        page = open_page(path, params)
        assert not page.exception, page.exception
        assert not _mail_offers(page), path
    publisher = official(app_env, "publisher")
    round_id, (first, *_rest) = round_with_candidates(app_env, publisher)
    move_to(app_env, round_id, "voting")
    at = open_page("pages/rounds.py", {"round": str(round_id)})
    at = _verify(at, "13912340000")
    at.button(key=f"vote_{first}").click()
    at.run()
    assert not at.exception, at.exception
    assert "今天已投" in texts(at) and not _mail_offers(at)
