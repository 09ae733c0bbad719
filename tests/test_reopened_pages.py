"""A case reopened by the four-week questionnaire's 没有解决, as the pages show it (AppTest):
the handler's case page and 进度查询 show the status 重新办理, the citizen's own words, and
the new clock counted from the reopening day."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from helpers.complaints import client, complaint_form
from helpers.db import official
from helpers.pages import demo_password, open_page, sign_in, texts
from portal.complaints import filing, follow_up, handling, rules
from portal.complaints.models import COMPLAINT, REOPENED, Complaint, ComplaintFollowUp
from portal.i18n import day
from portal.timeutil import local_today
from test_complaint_pages import _business_id

WORDS = "商户还在卖过期牛奶，货架上同一批次还有十几盒。"


def _reopened_case(app_env):
    """A complaint filed with an e-mail, closed four weeks ago, answered 没有解决 through the
    questionnaire's own code (portal.complaints.follow_up, which the mailed link's page calls)."""
    from portal.config import load_settings
    from portal.runtime import get_portal

    settings = load_settings()
    portal = get_portal(settings)
    with portal.db.write() as session:
        receipt = filing.submit(session, settings.secret_key, portal.profile.adcode,
                                complaint_form(_business_id(app_env), email="filer@example.com"), [], client(7))
    handler = official(portal, "handler", username="handler_reopen")
    with portal.db.write() as session:
        handling.accept(session, handler, receipt.complaint_id)
        handling.close(session, handler, receipt.complaint_id, rules.outcomes(COMPLAINT)[0],
                       "经核查，商户已下架过期牛奶并向您退款，已责令整改。")
        session.execute(update(Complaint).where(Complaint.id == receipt.complaint_id).values(
            finished_on=local_today() - timedelta(days=follow_up.FOLLOW_UP_DAYS)))
    with portal.db.write() as session:
        follow_up.schedule(session)
        questionnaire = session.scalar(select(ComplaintFollowUp).where(
            ComplaintFollowUp.complaint_id == receipt.complaint_id))
        follow_up.answer(session, questionnaire, {"answer": "unresolved", "text": WORDS})
    with portal.db.read() as session:
        case = session.get(Complaint, receipt.complaint_id)
        assert case.status == REOPENED and case.due_kind == "reopen" and case.due_on > local_today()
        return receipt, case.id, case.due_on


def test_reopened_case_on_the_tracking_page_and_the_handlers_case_page(app_env):
    receipt, case_id, due_on = _reopened_case(app_env)

    track = open_page("pages/complaint_track.py")
    track.text_input[0].input(receipt.tracking_no)
    track.text_input[1].input(receipt.code)
    next(b for b in track.button if b.label == "查询").click()
    track.run()
    assert not track.exception, track.exception
    shown = texts(track)
    assert "重新办理" in shown                                     # the status label
    assert any(WORDS in x.value for x in track.text)               # the citizen's words, as text
    assert "没有解决" in "\n".join(x.value for x in track.text)
    clock = next(i.value for i in track.info if day(due_on) in i.value)
    assert "重新办理" in clock and "办结" in clock                  # the new clock, named as such
    assert "补充材料" in shown                                     # still open: the citizen may add

    desk = open_page("pages/login.py")
    sign_in(desk, "demo_handler", demo_password(app_env, "demo_handler"))
    desk.switch_page("pages/complaint_queue.py").run()
    assert not desk.exception, desk.exception
    desk.query_params["id"] = str(case_id)
    desk.run()
    assert not desk.exception, desk.exception
    heading = next(s.value for s in desk.subheader if receipt.tracking_no in s.value)
    assert "重新办理" in heading
    assert any(day(due_on) in m.value and "重新办理" in m.value for m in desk.markdown)
    assert any(WORDS in x.value for x in desk.text)
    labels = [b.label for b in desk.button]
    assert "办结" in labels                                         # the handler can close it again
