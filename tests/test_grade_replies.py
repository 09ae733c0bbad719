"""The business's right to reply on its grade (portal/ratings/replies.py): a publisher enters
it from the business's letter on 登记检查与名单, another look approves it, and only then is it
shown beside the grade on the business page and the door page; rejected and pending replies
never are; personal data in it is masked and markup stays text."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from helpers.db import official
from helpers.pages import demo_password, open_page, sign_in, texts
from portal.registry.models import CATERING
from portal.ratings import replies
from portal.ratings.models import GradeReply
from portal.registry.models import Business
from portal.timeutil import local_today
from portal.validation import InputError
from test_door_page import client, rated_business, text


@pytest.fixture
def portal(app_env):
    from portal.bootstrap import bootstrap

    return bootstrap()


def without_replies(portal, business_id: int) -> None:
    with portal.db.write() as session:
        for reply in session.scalars(select(GradeReply).where(GradeReply.business_id == business_id)):
            session.delete(reply)


def test_a_reply_is_shown_beside_the_grade_only_once_approved(portal):
    business = rated_business(portal)
    without_replies(portal, business.id)
    publisher = official(portal, "publisher", "pub1")
    hostile = "我们已整改<script>alert(1)</script>\n联系 13812345678"
    with portal.db.write() as session:
        first = replies.enter_reply(session, publisher, business.id,
                                    {"text": hostile, "received_on": local_today() - timedelta(days=2)}).id
        second = replies.enter_reply(session, publisher, business.id,
                                     {"text": "广告：本店八折", "received_on": local_today()}).id
    door = client(portal)
    assert "商户对等级的回应" not in text(door.get(f"/b/{business.id}").text)      # pending: not shown
    with portal.db.write() as session:
        replies.moderate_reply(session, publisher, first, True)
        with pytest.raises(InputError) as refused:
            replies.moderate_reply(session, publisher, second, False, "")       # a rejection says why
        assert "note" in refused.value.errors
        replies.moderate_reply(session, publisher, second, False, "含广告")
    html = door.get(f"/b/{business.id}").text
    assert "商户对等级的回应" in text(html) and "我们已整改" in text(html)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "138****5678" in html and "13812345678" not in html and "八折" not in html
    with pytest.raises(InputError):
        with portal.db.write() as session:
            replies.moderate_reply(session, publisher, first, False, "再审")      # decided once


def test_a_publisher_enters_and_approves_a_reply_on_the_page(app_env, portal):
    business = rated_business(portal)
    without_replies(portal, business.id)
    at = open_page("pages/login.py")
    sign_in(at, "demo_publisher", demo_password(app_env, "demo_publisher"))
    at.switch_page("pages/registry_edit.py").run()
    at.text_input[0].input(business.name).run()
    next(t for t in at.text_area if t.label.startswith("回应内容")).input("检查后已更换冷藏柜，欢迎监督。")
    next(d for d in at.date_input if d.label == "收到日期").set_value(local_today())
    next(b for b in at.button if b.label == "录入，等待审核").click()
    at.run()
    assert "已录入" in texts(at)
    next(b for b in at.button if b.label == "通过并公开").click()
    at.run()
    assert not at.exception
    page = open_page("pages/business.py", {"id": str(business.id)})
    assert "检查后已更换冷藏柜，欢迎监督。" in texts(page)


def test_the_demo_has_a_few_published_replies(portal):
    with portal.db.read() as session:
        shown = session.scalar(select(func.count()).select_from(GradeReply)
                               .where(GradeReply.status == "published", GradeReply.is_demo.is_(True)))
        assert shown >= 1
        reply = session.scalars(select(GradeReply)).first()
        assert reply.text.startswith("演示数据") and session.get(Business, reply.business_id).sector == CATERING
