"""你点我检: citizens propose and vote for what gets tested, and see the results."""
import streamlit as st

from portal.rounds import participation, queries
from portal.rounds.models import CANDIDATE_STATUS_LABELS
from portal.rounds.phases import PHASE_LABELS, PROPOSALS, PUBLISHED, SAMPLING, VOTING, phase
from portal.i18n import N_, aside, day, t
from portal.timeutil import local_today
from portal import feed_paths
from portal.ui.charts import altair_chart
from portal.ui.clients import current_client
from portal.ui.layout import page_setup
from portal.ui.round_views import HELP, results_block, tally_chart, tally_frame, timeline
from portal.ui.verify import forget, verify_phone
from portal.ui.voter_notice_views import voter_notice_form
from portal.ui.widgets import feed_link, id_param, md, show_address, show_errors
from portal.validation import InputError
from portal.ui.page_links import page_link

ctx = page_setup("你点我检", english=True)
LABELS = {"candidate": N_("候选项目"), "limit": N_("票数"), "round": N_("活动"), "food": N_("食品名称"),
          "place": N_("购买地点"), "reason": N_("担心的原因")}
today = local_today()
round_id = id_param(st.query_params, "round")

if round_id is None:
    st.title(t("你点我检"), anchor=False)
    st.markdown(t(HELP))
    feed_link(feed_paths.ROUNDS)
    with ctx.db.read() as session:
        rounds = queries.rounds(session)
    if not rounds:
        st.info(t("还没有举办过“你点我检”活动。"))
    if any(r.is_demo for r in rounds):
        st.warning(t("演示数据：以下各期活动、候选项目和票数由程序生成，仅用于演示。"), icon=":material/science:")
    for r in sorted(rounds, key=lambda r: (phase(r, today) == PUBLISHED, -r.vote_from.toordinal())):
        current = phase(r, today)
        with st.container(border=True):
            page_link("pages/rounds.py", label=f"**{md(r.title)}**", query_params={"round": str(r.id)})
            st.caption(t(PHASE_LABELS[current]) + " · "
                       + t("投票 {start}–{end}", start=day(r.vote_from), end=day(r.vote_to)))
    st.subheader(t("我的点检"), anchor=False)
    st.markdown(t("查看您提出的建议和投过的票。"))
    who = verify_phone(ctx, "my_records", "mine")
    if who:
        with ctx.db.read() as session:
            mine = queries.my_records(session, who[0])
        st.success(t("已验证 {masked}", masked=who[1]))
        if not mine.proposals and not mine.votes:
            st.info(t("您还没有提出过建议或投过票。"))
        for title, food, status, note in mine.proposals:
            st.markdown("- " + t("建议“{food}”", food=md(food)) + aside(md(title))
                        + f"：**{t(CANDIDATE_STATUS_LABELS[status])}**"
                        + (t("，说明：{note}", note=md(note)) if note else ""))
        for title, food, voted_on in mine.votes:
            st.markdown("- " + t("{day} 投票给“{food}”", day=day(voted_on), food=md(food)) + aside(md(title)))
        if st.button(t("退出验证")):
            forget()
            st.rerun()
    st.stop()

with ctx.db.read() as session:
    round_ = queries.get_round(session, round_id)
    if round_ is not None:
        rows = queries.tallies(session, round_id)
        votes, people = queries.voters(session, round_id)
        results = queries.plan_results(session, round_id) if round_.plan_fixed_at else []
if round_ is None:
    st.title(t("你点我检"), anchor=False)
    st.warning(t("没有找到这一期活动，链接可能有误。"))
    page_link("pages/rounds.py", label=t("查看全部各期"), icon=":material/arrow_back:")
    st.stop()

show_address({"round": str(round_id)})
page_link("pages/rounds.py", label=t("全部各期"), icon=":material/arrow_back:")
current = phase(round_, today)
if round_.is_demo:
    st.warning(t("演示数据：这一期活动由程序生成，仅用于演示。"), icon=":material/science:")
st.title(md(round_.title), anchor=False)   # a title is text, never markdown
timeline(round_, current)
feed_link(feed_paths.ROUNDS)
st.text(round_.description)
st.caption(t("本期计划抽检 {n} 项；投票期间每人每天最多 {daily} 票，同一项每天只能投 1 票（按北京时间计日）。",
             n=round_.sample_count, daily=round_.daily_votes))

if current == PUBLISHED:
    st.subheader(t("抽检结果"), anchor=False)
    if round_.result_summary:
        st.text(round_.result_summary)
    results_block(results)
elif current == SAMPLING and round_.plan_fixed_at:
    st.subheader(t("抽检计划"), anchor=False)
    st.markdown(t("投票已结束，以下项目已列入抽检计划，结果预计在 {day} 前公布。", day=day(round_.results_due)))
    if round_.plan_note:
        st.text(round_.plan_note)
    results_block(results)
elif current == SAMPLING:
    st.info(t("投票已结束，正在根据得票确定抽检计划，结果预计在 {day} 前公布。", day=day(round_.results_due)))

if current in (VOTING, SAMPLING, PUBLISHED) and rows:
    st.subheader(t("得票") + (aside(t("实时")) if current == VOTING else ""), anchor=False)
    st.caption(t("共 {votes:,} 票，{people:,} 人参与。", votes=votes, people=people))
    frame = tally_frame(rows)
    altair_chart(tally_chart, frame)
    with st.expander(t("以表格查看")):
        st.dataframe(frame, hide_index=True, width="stretch")

if current == VOTING:
    st.subheader(t("投票"), anchor=False)
    who = verify_phone(ctx, "vote", f"vote{round_id}")
    if who:
        with ctx.db.read() as session:
            left = participation.votes_left(session, round_, who[0], today)
            done = participation.voted_today(session, round_id, who[0], today)
        st.success(t("已验证 {masked}。您今天还可以投 **{n}** 票。", masked=who[1], n=left))
        for row in rows:
            left_col, right_col = st.columns([3, 1])
            left_col.markdown(md(row.food) + (aside(md(row.place)) if row.place else ""))
            if row.candidate_id in done:
                right_col.markdown(":material/check: " + t("今天已投"))
            elif right_col.button(t("投一票"), key=f"vote_{row.candidate_id}", disabled=left == 0):
                try:
                    with ctx.db.write() as session:
                        participation.vote(session, ctx.settings.secret_key, round_id,
                                           row.candidate_id, who[0], current_client(ctx).address)
                except InputError as exc:
                    show_errors(exc, LABELS)
                else:
                    st.toast(t("已为“{food}”投票", food=md(row.food)))
                    st.rerun()
        voter_notice_form(ctx, round_id, who[0])

if current == SAMPLING and ctx.settings.smtp_url:
    st.subheader(t("结果通知"), anchor=False)
    st.markdown(t("投过票的市民，验证投票时用的手机号后，可以订阅抽检计划和结果的邮件通知。"))
    who = verify_phone(ctx, "vote", f"notice{round_id}",
                       intro=t("请验证投票时用的手机号。号码只用于找到您投过的票，不会公开。"))
    if who:
        voter_notice_form(ctx, round_id, who[0])

if current == PROPOSALS:
    accepted = [c for c in round_.candidates if c.status == "accepted"]
    st.subheader(t("已有的候选项目"), anchor=False)
    if accepted:
        for c in accepted:
            st.markdown(f"- {md(c.food)}" + (aside(md(c.place)) if c.place else ""))
    else:
        st.caption(t("还没有候选项目。"))
    st.caption(t("投票将于 {day} 开始。", day=day(round_.vote_from)))
    st.subheader(t("提出建议"), anchor=False)
    st.markdown(t("您最担心哪种食品？告诉我们在哪里买到、为什么担心。建议经审核后列为候选项目。"))
    who = verify_phone(ctx, "propose", f"propose{round_id}")
    if who:
        with st.form("proposal"):
            food = st.text_input(t("食品名称"), key="p_food", max_chars=60, placeholder=t("如：散装酸菜"))
            place = st.text_input(t("在哪里买到"), key="p_place", max_chars=120, placeholder=t("如：某农贸市场"))
            reason = st.text_area(t("为什么担心"), key="p_reason", max_chars=500,
                                  placeholder=t("10～500 字，如：颜色异常、吃后不适、听说有问题"))
            if st.form_submit_button(t("提交建议"), type="primary"):
                try:
                    with ctx.db.write() as session:
                        participation.propose(session, round_id, who[0],
                                              {"food": food, "place": place, "reason": reason})
                except InputError as exc:
                    show_errors(exc, LABELS | {"limit": N_("次数")})
                else:
                    for key in ("p_food", "p_place", "p_reason"):
                        st.session_state.pop(key, None)
                    st.session_state["proposal_done"] = True
                    st.rerun()
    if st.session_state.pop("proposal_done", False):
        st.success(t("已收到您的建议，审核通过后会列入候选项目。可在“你点我检”首页的“我的点检”中查看审核结果。"))
