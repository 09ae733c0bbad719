"""The complaint journey through the pages (AppTest): file -> track -> handle -> reply ->
the citizen sees the reply and rates it; bad input keeps what was typed; no public page
ever shows the complainant's name or phone."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpers.db import app_db
from helpers.pages import demo_password, open_page, sign_in, texts
from portal.timeutil import local_today

NAME, PHONE = "欧阳测试", "13955556666"
HOSTILE = "<script>alert(1)</script> [点我](javascript:alert(1)) ![x](http://evil/x.png)"


def _business_id(app_env):
    from portal.registry.models import Business

    db = app_db(app_env)
    with db.read() as session:
        return session.scalars(select(Business.id).order_by(Business.id)).first()


def _fill(at, description):
    at.selectbox(key="c_category").set_value("异物")
    at.date_input(key="c_occurred").set_value(local_today() - timedelta(days=1))
    at.text_area(key="c_description").input(description)
    at.text_area(key="c_claim").input("退款并道歉")
    at.text_input(key="c_name").input(NAME)
    at.text_input(key="c_phone").input(PHONE)
    at.checkbox(key="c_consent").check()


def _submit(at):
    next(b for b in at.button if b.label == "提交").click()
    return at.run()


def file_complaint(app_env, description="在米粉里吃出一根头发，" + HOSTILE):
    at = open_page("streamlit_app.py")
    at.session_state["c_business"] = _business_id(app_env)
    at.switch_page("pages/complaint.py").run()
    assert not at.exception, at.exception
    _fill(at, description)
    return _submit(at)


def test_bad_input_keeps_everything_typed(app_env):
    at = file_complaint(app_env, description="太短")
    body = texts(at)
    assert "请修改以下内容" in body and "至少需要 10 个字" in body
    assert at.text_area(key="c_description").value == "太短"
    assert at.text_input(key="c_phone").value == PHONE
    assert at.text_input(key="c_name").value == NAME
    at.text_input(key="c_phone").input("12345")
    at.text_area(key="c_description").input("买到的面包已经发霉了，非常不卫生。")
    _submit(at)
    assert "11 位手机号" in texts(at)
    assert not at.code   # nothing filed


def test_a_business_not_chosen_is_asked_for_by_what_is_on_the_screen(app_env):
    """Searched but not chosen from the results: one message says to choose one (or to switch
    on 登记库中找不到), not "所在区县" for a field the form does not show until then."""
    at = open_page("pages/complaint.py")
    at.text_input(key="c_query").input("米粉").run()
    _fill(at, "买到的米粉已经发霉了，吃了以后肚子不舒服。")
    body = texts(_submit(at))
    assert "- **商户**：请在搜索结果中选择商户" in body and "登记库中找不到这家商户" in body
    assert "**所在区县**" not in body and "**商户名称**" not in body
    assert at.text_area(key="c_description").value == "买到的米粉已经发霉了，吃了以后肚子不舒服。"
    # With the switch on, the two fields are on the screen and each says what it needs.
    at.toggle(key="c_unlisted").set_value(True).run()
    body = texts(_submit(at))
    assert "- **所在区县**：请选择商户所在的区县" in body and "- **商户名称**：" in body
    assert not at.code   # nothing filed


def test_whole_journey_through_the_pages(app_env):
    at = file_complaint(app_env)
    assert not at.exception, at.exception
    assert "我们已收到您的投诉" in texts(at)
    tracking_no, code = at.code[0].value, at.code[1].value
    assert tracking_no.startswith("TS") and len(code) == 8

    # The citizen tracks it.
    track = open_page("pages/complaint_track.py")
    track.text_input[0].input(tracking_no)
    track.text_input[1].input("wrong-code")
    track.button[0].click()
    track.run()
    assert "查询编号或查询码不对" in texts(track)
    track.text_input[0].input(tracking_no.lower())
    track.text_input[1].input(code.lower())
    track.button[0].click()
    track.run()
    assert not track.exception, track.exception
    assert "已提交" in texts(track) and "依法应在" in texts(track)

    # The handler accepts, assigns and closes it.
    desk = open_page("pages/login.py")
    sign_in(desk, "demo_handler", demo_password(app_env, "demo_handler"))
    desk.switch_page("pages/complaint_queue.py").run()
    assert not desk.exception, desk.exception
    assert "未办结" in [m.label for m in desk.metric]
    from portal.complaints.models import IN_PROGRESS, Complaint

    db = app_db(app_env)
    with db.read() as session:
        case_id = session.scalar(select(Complaint.id).where(Complaint.tracking_no == tracking_no))
    desk.query_params["id"] = str(case_id)
    desk.run()
    assert not desk.exception, desk.exception
    shown = texts(desk)
    assert tracking_no in shown and "139****6666" in shown and PHONE not in shown
    # Citizen text is shown as plain text, never as markdown or HTML.
    assert any(HOSTILE in t.value for t in desk.text)
    assert "javascript" not in "".join(m.value for m in desk.markdown)
    next(b for b in desk.button if b.label == "受理").click()
    desk.run()
    assert not desk.exception, desk.exception
    assert "已受理" in texts(desk)
    with db.read() as session:
        # Accepted and handed at once to the unit the form suggests (the district's bureau).
        assert session.get(Complaint, case_id).status == IN_PROGRESS
    outcome = next(s for s in desk.selectbox if s.label == "办理结果")
    outcome.set_value("调解成功")
    reply_box = next(t for t in desk.text_area if t.label == "办结答复（群众可见）")
    reply_box.input("经调解，商户同意退款 30 元并当面道歉。")
    next(b for b in desk.button if b.label == "办结").click()
    desk.run()
    assert not desk.exception, desk.exception
    # Irreversible: nothing happens until the handler ticks the confirmation.
    assert "请先勾选" in texts(desk)
    with db.read() as session:
        assert session.get(Complaint, case_id).status != "closed"
    assert next(t for t in desk.text_area if t.label == "办结答复（群众可见）").value.startswith("经调解")
    desk.checkbox(key=f"close_sure_{case_id}").check()
    next(b for b in desk.button if b.label == "办结").click()
    desk.run()
    assert not desk.exception, desk.exception
    with db.read() as session:
        assert session.get(Complaint, case_id).status == "closed"

    # The citizen sees the reply and rates it.
    track.run()
    assert "已办结" in texts(track)
    assert any("退款 30 元" in t.value for t in track.text)
    track.radio(key="t_rating").set_value("满意")
    next(b for b in track.button if b.label == "提交评价").click()
    track.run()
    assert not track.exception
    with db.read() as session:
        assert session.get(Complaint, case_id).rating == "满意"


PUBLIC_PATHS = ["streamlit_app.py", "pages/complaint_stats.py", "pages/business.py",
                "pages/sampling.py", "pages/lists.py", "pages/map.py", "pages/about.py",
                "pages/complaint.py", "pages/complaint_track.py"]


def _everything(at) -> str:
    parts = [texts(at)] + [t.value for t in at.text] + [str(c.value) for c in at.code]
    parts += [d.value.to_string() for d in at.dataframe]
    parts += [m.value + m.label for m in at.metric]
    return "\n".join(parts)


@pytest.mark.security
def test_no_public_page_shows_the_complainants_name_or_phone(app_env):
    at = file_complaint(app_env)
    tracking_no = at.code[0].value
    from portal.complaints import handling
    from portal.complaints.models import Complaint
    from portal.accounts.rules import cli_actor

    db = app_db(app_env)
    with db.write() as session:
        case = session.scalar(select(Complaint).where(Complaint.tracking_no == tracking_no))
        handling.accept(session, cli_actor("t"), case.id)
        handling.close(session, cli_actor("t"), case.id, "调解成功", f"已联系{NAME}，商户退款。")
        business_id = case.business_id
    for path in PUBLIC_PATHS:
        page = open_page(path)
        if path == "pages/business.py":
            page.query_params["id"] = str(business_id)
            page.run()
        assert not page.exception, (path, page.exception)
        content = _everything(page)
        assert NAME not in content and PHONE not in content and "139****6666" not in content, path
        assert "米粉里吃出一根头发" not in content, path
    stats = open_page("pages/complaint_stats.py")
    assert "投诉举报" in texts(stats)
    assert stats.dataframe  # the finished-case list is there


def test_business_page_links_to_filing_with_the_business(app_env):
    at = open_page("pages/business.py")
    at.query_params["id"] = str(_business_id(app_env))
    at.run()
    assert not at.exception
    assert "投诉举报" in texts(at)


def test_admin_corrects_a_deadline_rule_and_it_is_audited(app_env):
    at = open_page("pages/login.py")
    sign_in(at, "demo_admin", demo_password(app_env, "demo_admin"))
    at.switch_page("pages/complaint_rules.py").run()
    assert not at.exception, at.exception
    assert "未经核实" in texts(at) and "第121号" in texts(at)
    accept_days = [n for n in at.number_input if n.label.startswith("投诉：决定是否受理")]
    accept_days[1].set_value(10)
    [b for b in at.button if b.label == "保存修改"][1].click()
    at.run()
    assert "已保存" in texts(at)
    from portal.accounts.models import AuditEntry
    from portal.complaints import rules

    db = app_db(app_env)
    with db.read() as session:
        assert rules.rule_set_by_id("order121", rules.rule_sets(session)).accept_days == 10
        assert rules.rule_set_by_id("order20", rules.rule_sets(session)).accept_days == 7
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint_rules_update"))


def _count(text: str) -> int:
    """"1,234 件" or "共 1,234 件：…" -> 1234."""
    return int(re.search(r"\d[\d,]*", text).group().replace(",", ""))


def test_figures_on_the_stats_page_agree_with_each_other_and_with_the_api(app_env):
    """One definition per figure: 已办结 is the count of the finished-case list, every
    breakdown adds up to the headline, and the open-data API gives the same figures for the
    same period (it was 收到 316 / 已办结 280 beside a list of 366)."""
    from portal.bootstrap import bootstrap
    from portal.config import load_settings
    from test_api import make_client

    at = open_page("pages/complaint_stats.py")
    api = make_client(bootstrap(load_settings(), seed_demo=False))
    year = local_today().year
    periods = {str(year): f"date_from={year}-01-01&date_to={year}-12-31",
               str(year - 1): f"date_from={year - 1}-01-01&date_to={year - 1}-12-31", "all": ""}
    checked = 0
    for choice, period in periods.items():
        at.button_group(key="period").set_value(choice).run()
        assert not at.exception, at.exception
        body = api.get(f"/complaints/stats?by=month&{period}").json()
        if not body["received"]:
            assert any("还没有投诉举报记录" in i.value for i in at.info)
            continue
        checked += 1
        shown = {m.label: m.value for m in at.metric}
        received, finished = _count(shown["收到投诉举报"]), _count(shown["已办结"])
        assert (received, finished) == (body["received"], body["finished"])
        assert 0 < finished <= received
        assert shown["办结率"] == f"{body['finish_rate']:.1f}%" == f"{100 * finished / received:.1f}%"
        assert shown["按期办结率"] == f"{body['on_time_rate']:.1f}%"
        assert shown["处理满意度"] == ("—" if body["satisfaction"] is None else f"{body['satisfaction']:.1f}%")
        assert shown["办结用时中位数"] == f"{body['median_working_days']:g} 个工作日"
        # each figure carries its definition right under it
        captions = [c.value for c in at.caption]
        assert any(c.startswith("统计期间内提交的投诉和举报件数") for c in captions)
        assert any(c.startswith("收到的件数中截至今天已办结的件数") for c in captions)
        # the finished-case list counts exactly 已办结
        listed = next(c for c in captions if c.startswith("共 ") and "已办结的案件" in c)
        assert _count(listed) == finished
        # the month, category and district tables add up to the headline, as the API's rows do
        # (each tab's chart and its table are built only once opened, as a visitor opens them)
        tables = []
        for tab, key in (("按月份", "month"), ("按问题类别", "category"), ("按区县", "district")):
            at.session_state["stats_tab"] = tab
            at.session_state[f"table_{key}"] = True
            at.run()
            tables.append(at.dataframe[0].value)
        months, categories, districts = tables
        for table in (months, categories, districts):
            assert (table["收到"].sum(), table["办结"].sum()) == (received, finished)
        assert list(months["提交月份"]) == [row["key"] for row in body["rows"]]
        assert list(months["收到"]) == [row["received"] for row in body["rows"]]
        for by in ("category", "district", "kind"):
            rows = api.get(f"/complaints/stats?by={by}&{period}").json()["rows"]
            assert sum(r["received"] for r in rows) == received
            assert sum(r["finished"] for r in rows) == finished
    assert checked >= 2


def _server_restarted(at):
    """What a restart does to an open page: the browser reconnects with the widgets' state (a
    photo's file id and name), but the new server never received the photo's bytes."""
    at._register_uploaded_files = lambda runner: None


def test_after_a_restart_the_citizen_is_asked_to_attach_the_photo_again(app_env):
    from helpers.complaints import jpeg_with_gps
    from portal.complaints.models import Complaint, ComplaintPhoto

    at = open_page("streamlit_app.py")
    at.session_state["c_business"] = _business_id(app_env)
    at.switch_page("pages/complaint.py").run()
    _fill(at, "米粉里有一根头发，照片见附件。")
    restarted = type(at)._register_uploaded_files
    _server_restarted(at)
    for _ in range(2):                     # the browser still shows the photo at each try
        at.file_uploader(key="c_photos").set_value([("meal.jpg", jpeg_with_gps(), "image/jpeg")])
        _submit(at)
        assert not at.exception, at.exception
        shown = texts(at)
        assert "照片需要重新添加" in shown and "请稍后再点" not in shown
        assert at.text_area(key="c_description").value == "米粉里有一根头发，照片见附件。"
        assert at.text_input(key="c_phone").value == PHONE and at.checkbox(key="c_consent").value
    db = app_db(app_env)
    with db.read() as session:
        assert session.scalar(select(Complaint.id).where(Complaint.description.like("米粉里有一根头发%"))) is None
    # The citizen attaches it again and submits: the case is filed, with its photo.
    at._register_uploaded_files = restarted.__get__(at)
    at.file_uploader(key="c_photos").set_value([("meal.jpg", jpeg_with_gps(), "image/jpeg")])
    _submit(at)
    assert "我们已收到您的投诉" in texts(at)
    with db.read() as session:
        case_id = session.scalar(select(Complaint.id).where(Complaint.description.like("米粉里有一根头发%")))
        assert session.scalars(select(ComplaintPhoto).where(ComplaintPhoto.complaint_id == case_id)).all()


def test_after_a_restart_added_information_asks_for_the_photo_again(app_env):
    from helpers.complaints import jpeg_with_gps
    from portal.complaints.models import ComplaintEvent

    filed = file_complaint(app_env, description="饮料瓶里有异物，已拍照留存。")
    tracking_no, code = filed.code[0].value, filed.code[1].value
    track = open_page("pages/complaint_track.py")
    track.text_input[0].input(tracking_no)
    track.text_input[1].input(code)
    track.button[0].click()
    track.run()
    track.text_area(key="t_info").input("补充一张购物小票的照片。")
    _server_restarted(track)
    track.file_uploader(key="t_photos").set_value([("receipt.jpg", jpeg_with_gps(), "image/jpeg")])
    next(b for b in track.button if b.label == "提交补充材料").click()
    track.run()
    assert not track.exception, track.exception
    assert "照片需要重新添加" in texts(track)
    assert track.text_area(key="t_info").value == "补充一张购物小票的照片。"
    with app_db(app_env).read() as session:    # not added without the photo the citizen meant
        assert not session.scalars(select(ComplaintEvent).where(ComplaintEvent.kind == "citizen_info")).all()
