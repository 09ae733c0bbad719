"""你点我检管理 (publisher): create rounds, moderate proposals, fix the plan, link the
sampling batches, publish; unusual voting bursts are shown here."""
from datetime import timedelta

import streamlit as st

from portal.rounds import management, queries
from portal.rounds.phases import PHASE_LABELS, PROPOSALS, PUBLISHED, REVIEW, SAMPLING, UPCOMING, phase
from portal.timeutil import cn_date, cn_datetime, local_today
from portal.ui.layout import page_setup
from portal.ui.round_views import tally_frame
from portal.ui.widgets import demo_notice, md, run_action
from portal.ui.page_links import page_link

ctx = page_setup("你点我检管理", role="publisher", layout="wide")
LABELS = {"title": "标题", "description": "说明", "sample_count": "抽检项目数", "daily_votes": "每人每天票数",
          "_": "日期", "round": "活动", "food": "候选项目", "place": "地点或范围", "reason": "理由",
          "candidate": "候选项目", "note": "说明", "plan": "抽检计划", "batch": "抽检批次",
          "summary": "结果说明", "flag": "提示"}
today = local_today()
st.title("你点我检管理", anchor=False)

with ctx.db.read() as session:
    rounds = queries.rounds(session)

with st.expander("新建一期", expanded=not rounds):
    with st.form("new_round"):
        title = st.text_input("标题", max_chars=100, placeholder=f"{today.year}年第X期“你点我检”")
        description = st.text_area("说明（向群众介绍本期范围和规则）", max_chars=2000)
        c1, c2, c3 = st.columns(3)
        proposal = c1.date_input("征集期", value=(today, today + timedelta(days=6)), format="YYYY/MM/DD")
        voting = c2.date_input("投票期", value=(today + timedelta(days=7), today + timedelta(days=13)),
                               format="YYYY/MM/DD")
        due = c3.date_input("预计公布结果", value=today + timedelta(days=40), format="YYYY/MM/DD")
        c4, c5 = st.columns(2)
        sample_count = c4.number_input("计划抽检项目数", min_value=1, max_value=50, value=5)
        daily_votes = c5.number_input("每人每天票数", min_value=1, max_value=20, value=1,
                                      help="例如福建省为每人每天 1 票。同一项每天只能投 1 票。")
        if st.form_submit_button("新建", type="primary"):
            if len(proposal) != 2 or len(voting) != 2:
                st.error("请为征集期和投票期各选择开始和结束两个日期。")
            else:
                run_action(ctx, management.create_round, {
                    "title": title, "description": description, "proposal_from": proposal[0],
                    "proposal_to": proposal[1], "vote_from": voting[0], "vote_to": voting[1],
                    "results_due": due, "sample_count": int(sample_count),
                    "daily_votes": int(daily_votes)}, labels=LABELS, done="已新建", rerun=True)

if not rounds:
    st.stop()
# Newest first by id, a stable order: the choice survives date changes of any round.
round_id = st.selectbox("选择一期", sorted((r.id for r in rounds), reverse=True), key="admin_round",
                        format_func=lambda i: next(
    f"{r.title}（{PHASE_LABELS[phase(r, today)]}）" for r in rounds if r.id == i))
with ctx.db.read() as session:
    round_ = queries.get_round(session, round_id)
    rows = queries.tallies(session, round_id)
    pending = queries.pending(session, round_id)
    flags = queries.flags(session, round_id)
    votes, people = queries.voters(session, round_id)
current = phase(round_, today)
demo_notice(round_.is_demo)
page_link("pages/rounds.py", label="查看公开页面", icon=":material/open_in_new:",
             query_params={"round": str(round_id)})
m1, m2, m3, m4 = st.columns(4)
m1.metric("阶段", PHASE_LABELS[current])
m2.metric("待审核建议", len(pending))
m3.metric("票数 / 人数", f"{votes:,} / {people:,}")
m4.metric("异常投票提示", sum(1 for f in flags if not f.reviewed_by))

tab_candidates, tab_plan, tab_links, tab_publish, tab_flags = st.tabs(
    ["候选项目与审核", "抽检计划", "关联抽检批次", "公布结果", "异常投票提示"])
with tab_candidates:
    st.dataframe(tally_frame(rows), hide_index=True, width="stretch")
    if current in (UPCOMING, PROPOSALS, REVIEW):
        with st.form("add_candidate"):
            st.markdown("**增加候选项目**（监管部门提出的项目直接列入）")
            food = st.text_input("候选项目", max_chars=60, placeholder="如：鲜湿米粉")
            place = st.text_input("地点或范围", max_chars=120, placeholder="如：全市农贸市场")
            reason = st.text_area("理由（可选）", max_chars=500)
            if st.form_submit_button("增加"):
                run_action(ctx, management.add_candidate, round_id,
                           {"food": food, "place": place, "reason": reason},
                           labels=LABELS, done="已增加", rerun=True)
    st.markdown(f"**群众建议待审核（{len(pending)}）**")
    for c in pending:
        with st.container(border=True):
            st.markdown(f"**{md(c.food)}** · 购买地点：{md(c.place or '—')} · {cn_datetime(c.created_at)}")
            st.text(c.reason or "")
            with st.form(f"moderate_{c.id}"):
                note = st.text_input("审核说明（不通过时必填，会向建议人显示）", max_chars=300)
                left, right = st.columns(2)
                if left.form_submit_button("通过", type="primary"):
                    run_action(ctx, management.moderate, c.id, True, note, labels=LABELS,
                               done="已通过", rerun=True)
                if right.form_submit_button("不通过"):
                    run_action(ctx, management.moderate, c.id, False, note, labels=LABELS,
                               done="已标记为不通过", rerun=True)

with tab_plan:
    if round_.plan_fixed_at:
        st.success(f"抽检计划已于 {cn_datetime(round_.plan_fixed_at)} 确定："
                   + "、".join(md(c.food) for c in round_.candidates if c.selected))
        if round_.plan_note:
            st.text(round_.plan_note)
    elif current != SAMPLING:
        st.info("投票结束后在这里确定抽检计划。")
    else:
        ranked = [r.candidate_id for r in rows][:round_.sample_count]
        with st.form("plan"):
            chosen = st.multiselect("列入抽检计划的项目（默认按得票排名）", [r.candidate_id for r in rows],
                                    default=ranked, placeholder="请选择项目", format_func=lambda i: next(
                                        f"{r.food}（{r.votes} 票）" for r in rows if r.candidate_id == i))
            note = st.text_area("计划说明（与得票排名不一致时必填，会公开）", max_chars=1000)
            if st.form_submit_button("确定抽检计划", type="primary"):
                run_action(ctx, management.fix_plan, round_id, chosen, note, labels=LABELS,
                           done="抽检计划已确定", rerun=True)

with tab_links:
    selected = [c for c in round_.candidates if c.selected]
    if not selected:
        st.info("确定抽检计划后，在这里把已导入“抽检结果”的批次关联到各项目。")
    else:
        planned_on = round_.planned_on
        st.caption(f"只列出{cn_date(planned_on)}确定抽检计划以后公布的批次：此前公布的不是按本期投票安排的抽检。")
    for c in selected:
        with st.container(border=True):
            st.markdown(f"**{md(c.food)}**")
            with ctx.db.read() as session:
                linked = queries.links(session, c.id)
            for link_id, batch_id, food_name in linked:
                left, right = st.columns([4, 1])
                left.markdown(f"批次 {batch_id} · {md(food_name)}")
                if current != PUBLISHED and right.button("取消关联", key=f"unlink_{link_id}"):
                    run_action(ctx, management.unlink_batch, link_id, labels=LABELS,
                               done="已取消关联", rerun=True)
            if current != PUBLISHED:
                keyword = st.text_input("按食品名称或被抽样单位查找批次", key=f"find_{c.id}", max_chars=30)
                if keyword.strip():
                    with ctx.db.read() as session:
                        found = queries.search_batches(session, keyword, announced_from=planned_on)
                    if not found:
                        st.caption(f"没有找到{cn_date(planned_on)}（确定抽检计划）以后公布的批次，"
                                   "请先在“导入抽检公告”中导入这批结果。")
                    for b in found:
                        left, right = st.columns([4, 1])
                        left.markdown(f"批次 {b.id} · {md(b.food_name)} · {md(b.sampled_unit or '—')} · "
                                      f"{cn_date(b.announcement_date)} · {b.result}")
                        if right.button("关联", key=f"link_{c.id}_{b.id}"):
                            run_action(ctx, management.link_batch, c.id, b.id, labels=LABELS,
                                       done="已关联", rerun=True)

with tab_publish:
    if current == PUBLISHED:
        st.success(f"结果已于 {cn_datetime(round_.published_at)} 公布。")
    else:
        with st.form("publish"):
            summary = st.text_area("结果说明（公开）", max_chars=2000,
                                   placeholder="如：本期抽检 5 项共 20 批次，1 批次不合格，已依法处置。")
            if st.form_submit_button("公布结果", type="primary"):
                run_action(ctx, management.publish, round_id, summary, labels=LABELS,
                           done="结果已公布", rerun=True)

with tab_flags:
    st.caption("同一网络地址一小时内投票过多时会在这里提示；这些票照常计入，请核查后记录处理意见。")
    if not flags:
        st.info("没有异常投票提示。")
    for f in flags:
        with st.container(border=True):
            st.markdown(f"{cn_datetime(f.at)} · 同一地址一小时内 {f.count} 票 · 地址标识 {f.key_hash[:8]}")
            if f.reviewed_by:
                st.caption(f"已由 {md(f.reviewed_by)} 核查：{md(f.review_note)}")
            else:
                with st.form(f"flag_{f.id}"):
                    note = st.text_input("核查说明", max_chars=500)
                    if st.form_submit_button("记录核查"):
                        run_action(ctx, management.review_flag, f.id, note, labels=LABELS,
                                   done="已记录", rerun=True)
