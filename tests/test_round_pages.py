"""A whole 你点我检 round through the pages (AppTest): propose -> moderate -> vote -> plan ->
link results -> published, with the demo phone verification."""
from sqlalchemy import select

from helpers.db import app_db
from helpers.pages import demo_password, open_page, sign_in, texts
from helpers.rounds import move_to
from portal.rounds.models import Candidate, Round


def _verify(at, phone="13912345678"):
    next(t for t in at.text_input if t.label == "手机号码").input(phone)
    next(b for b in at.button if b.label == "获取验证码").click()
    at.run()
    warning = next(w.value for w in at.warning if "验证码是" in w.value)
    code = warning.split("**")[1]
    next(t for t in at.text_input if t.label == "验证码").input(code)
    next(b for b in at.button if b.label == "验证").click()
    return at.run()


def _open_round(round_id):
    at = open_page("streamlit_app.py")
    at.switch_page("pages/rounds.py")
    at.query_params["round"] = str(round_id)
    return at.run()


def test_whole_round_through_the_pages(app_env):
    # A publisher creates the round.
    desk = open_page("pages/login.py")
    sign_in(desk, "demo_publisher", demo_password(app_env, "demo_publisher"))
    desk.switch_page("pages/rounds_admin.py").run()
    assert not desk.exception, desk.exception
    next(t for t in desk.text_input if t.label == "标题").input("测试第9期你点我检")
    next(t for t in desk.text_area if t.label.startswith("说明")).input("请选出您最关心的食品，我们来抽检。")
    next(n for n in desk.number_input if n.label == "计划抽检项目数").set_value(1)
    next(b for b in desk.button if b.label == "新建").click()
    desk.run()
    assert not desk.exception, desk.exception
    with app_db(app_env).read() as session:
        round_id = session.scalar(select(Round.id).where(Round.title == "测试第9期你点我检"))
    assert round_id

    # A citizen proposes, after verifying a phone number (demo code on screen).
    at = _open_round(round_id)
    assert "征集" in texts(at)
    at = _verify(at)
    assert not at.exception, at.exception
    at.text_input(key="p_food").input("散装酸菜")
    at.text_input(key="p_place").input("东门农贸市场")
    at.text_area(key="p_reason").input("<script>x</script>颜色发亮，担心色素超标")
    next(b for b in at.button if b.label == "提交建议").click()
    at.run()
    assert "已收到您的建议" in texts(at)

    # The publisher accepts it.
    desk.selectbox[0].set_value(round_id)
    desk.run()
    next(b for b in desk.button if b.label == "通过").click()
    desk.run()
    assert not desk.exception, desk.exception
    with app_db(app_env).read() as session:
        candidate = session.scalar(select(Candidate).where(Candidate.round_id == round_id))
        assert candidate.status == "accepted"

    # Voting opens; the citizen votes once, and a second vote for it today is not offered.
    move_to(app_env, round_id, "voting")
    at.run()
    assert "投票" in texts(at)
    next(b for b in at.button if b.label == "投一票").click()
    at.run()
    assert not at.exception, at.exception
    assert "今天已投" in texts(at)
    assert "共 1 票" in texts(at)

    # Voting ends; the publisher fixes the plan, links a batch, publishes.
    move_to(app_env, round_id, "sampling")
    desk.run()
    assert "确定抽检计划" in [b.label for b in desk.button], ([b.label for b in desk.button], texts(desk)[-800:])
    next(b for b in desk.button if b.label == "确定抽检计划").click()
    desk.run()
    assert not desk.exception, desk.exception
    # The demo's batches were all announced before this plan: none is offered for linking.
    next(t for t in desk.text_input if t.label.startswith("按食品名称")).input("菜")
    desk.run()
    assert not [b for b in desk.button if b.label == "关联"]
    assert "确定抽检计划）以后公布的批次" in "\n".join(c.value for c in desk.caption)
    # The sampling's announcement is imported (here written as the importer would).
    from portal.sampling.models import SamplingBatch
    from portal.timeutil import local_today

    with app_db(app_env).write() as session:
        session.add(SamplingBatch(food_name="酸菜（本期抽检）", result="合格", in_jurisdiction=True,
                                  category="蔬菜制品", identity_key="round-page-test", content_hash="z",
                                  announcement_date=local_today()))
    next(t for t in desk.text_input if t.label.startswith("按食品名称")).input("酸菜")
    desk.run()
    next(b for b in desk.button if b.label == "关联").click()
    desk.run()
    assert not desk.exception, desk.exception
    next(t for t in desk.text_area if t.label == "结果说明（公开）").input("本期抽检 1 项，结果见下方。")
    next(b for b in desk.button if b.label == "公布结果").click()
    desk.run()
    assert not desk.exception, desk.exception

    public = _open_round(round_id)
    body = texts(public)
    assert not public.exception, public.exception
    assert "抽检结果" in body and "共抽检 **1** 批次" in body
    assert "<script>" not in body


def test_sampled_batch_pages_point_back_to_the_round(app_env):
    """The demo's published round links batches: their detail pages say so and link back."""
    from portal.rounds.models import CandidateBatch

    at = open_page("streamlit_app.py")   # first start: demo data
    with app_db(app_env).read() as session:
        batch_id = session.scalar(select(CandidateBatch.batch_id).order_by(CandidateBatch.id))
    at.switch_page("pages/sampling.py")
    at.query_params["batch"] = str(batch_id)
    at.query_params["scope"] = "all"
    at.run()
    assert not at.exception, at.exception
    assert "你点我检" in texts(at)
