"""满意度调查: a short questionnaire, one step per section, on a phone; then the public summary."""
import streamlit as st

from portal.complaints.personal import keyed_hash
from portal.surveys import responses, stats
from portal.surveys.definition import current_survey
from portal.timeutil import cn_date, local_today
from portal.ui import cached
from portal.ui.complaint_views import current_client
from portal.ui.layout import page_setup
from portal.ui.survey_views import estimate_text, question_widget
from portal.ui.verify import verify_phone
from portal.ui.widgets import show_errors
from portal.validation import InputError

ctx = page_setup("满意度调查")
survey = current_survey(ctx.settings)
names = cached.district_names(ctx)
STEP, ANSWERS, DONE = "survey_step", "survey_answers", "survey_done"
steps = [("profile", "关于您")] + [(s.id, s.title) for s in survey.sections]

st.title(survey.title, anchor=False)


@st.cache_data(ttl=60, show_spinner=False)
def summary(url: str, key: str):
    with ctx.db.read() as session:
        populations = {d.adcode: d.population for d in ctx.profile.districts}
        return stats.overview(session, key, populations), stats.dimensions(session, key)


def show_summary() -> None:
    overview, dims = summary(ctx.db.url, survey.key)
    if not overview.responses:
        st.caption("还没有人提交问卷。")
        return
    if overview.demo:
        st.warning("演示数据：以下得分由程序生成的演示问卷计算，不是真实调查结果。", icon=":material/science:")
    st.metric("目前的满意度得分（0–100）", f"{overview.weighted.mean:.1f}",
              help=f"按各区县常住人口加权；共 {overview.responses:,} 人参加。")
    st.caption(f"共 {overview.responses:,} 人参加。未加权得分 {estimate_text(overview.overall)}。"
               + survey.scoring.method)
    columns = st.columns(len(survey.scoring.dimensions))
    for column, d in zip(columns, survey.scoring.dimensions):
        est = dims.get(d.id)
        column.metric(d.label, "—" if not est or est.mean is None else f"{est.mean:.1f}")


if st.session_state.get(DONE):
    st.success("问卷已提交，感谢您的参与！您的意见会用于改进本市的食品安全工作。", icon=":material/favorite:")
    st.subheader("目前的调查结果", anchor=False)
    show_summary()
    st.stop()

today = local_today()
if not survey.open_on(today):
    st.info(f"本期调查时间为 {cn_date(survey.period.from_)} 至 {cn_date(survey.period.to)}，现在不在调查期内。")
    show_summary()
    st.stop()

st.markdown(survey.intro)
with st.expander("目前的调查结果"):
    show_summary()

respondent = None
if survey.verify_phone:
    who = verify_phone(ctx, "survey", "survey")
    if not who:
        st.stop()
    respondent = who[0]
else:
    respondent = keyed_hash(ctx.settings.secret_key, "survey-session", current_client(ctx).session_id)

step = st.session_state.setdefault(STEP, 0)
answers = st.session_state.setdefault(ANSWERS, {"profile": {}, "answers": {}})
st.progress((step + 1) / len(steps), text=f"第 {step + 1} / {len(steps)} 步：{steps[step][1]}")
step_id = steps[step][0]
with st.form(f"survey_step_{step}"):
    if step_id == "profile":
        for field in survey.profile:
            options = [d.adcode for d in ctx.profile.districts] if field.type == "district" else field.options
            current = answers["profile"].get(field.id)
            answers["profile"][field.id] = st.radio(
                field.label + ("" if field.required else "（选答）"), options,
                index=options.index(current) if current in options else None,
                format_func=lambda v: names.get(v, v), horizontal=True, key=f"p_{field.id}")
    else:
        section = next(s for s in survey.sections if s.id == step_id)
        if any(q.type == "scale5" for q in section.questions):
            st.caption("请按您的感受选择：" + " → ".join(survey.scale))
        for q in section.questions:
            answers["answers"][q.id] = question_widget(survey, q, answers["answers"].get(q.id), f"a_{q.id}")
    left, right = st.columns(2)
    back = left.form_submit_button("上一步", disabled=step == 0)
    last = step == len(steps) - 1
    forward = right.form_submit_button("提交问卷" if last else "下一步", type="primary")

if back:
    st.session_state[STEP] = step - 1
    st.rerun()
if forward:
    ids = [f.id for f in survey.profile] if step_id == "profile" else \
        [q.id for q in next(s for s in survey.sections if s.id == step_id).questions]
    missing = [i for i in ids if (survey.question(i) or next(p for p in survey.profile if p.id == i)).required
               and answers["answers" if survey.question(i) else "profile"].get(i) in (None, "", [])]
    if missing and not last:
        labels = [(survey.question(i).text if survey.question(i) else
                   next(p.label for p in survey.profile if p.id == i)) for i in missing]
        st.error("请先回答以下必答题：\n" + "\n".join(f"- {t}" for t in labels))
    elif not last:
        st.session_state[STEP] = step + 1
        st.rerun()
    else:
        profile = {k: v for k, v in answers["profile"].items() if v not in (None, "")}
        given = {k: v for k, v in answers["answers"].items() if v not in (None, "", [])}
        try:
            with ctx.db.write() as session:
                responses.submit(session, ctx.settings.secret_key, survey,
                                 {d.adcode for d in ctx.profile.districts}, profile, given,
                                 respondent, current_client(ctx).address)
        except InputError as exc:
            labels = {q.id: q.text for q in survey.questions} | {p.id: p.label for p in survey.profile}
            show_errors(exc, {**labels, "survey": "问卷", "limit": "提交次数"})
            first = next((i for i, (sid, _) in enumerate(steps) if any(
                k in ([f.id for f in survey.profile] if sid == "profile" else
                      [q.id for q in next(s for s in survey.sections if s.id == sid).questions])
                for k in exc.errors)), None)
            if first is not None and first != step:
                st.caption(f"请回到第 {first + 1} 步“{steps[first][1]}”修改；您填写的内容都还在。")
        else:
            st.session_state[DONE] = True
            st.session_state.pop(ANSWERS, None)
            st.session_state.pop(STEP, None)
            cached.clear()
            st.rerun()
