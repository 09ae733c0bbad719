"""满意度调查: a short questionnaire, one step per section, on a phone; then the public summary."""
import streamlit as st

from portal.surveys import responses, stats
from portal import i18n
from portal.i18n import N_, aside, day, t
from portal.surveys.definition import current_survey, survey_translation
from portal.timeutil import local_today
from portal.ui import cached
from portal.ui.i18n_views import district_labels
from portal.ui.clients import current_client
from portal.ui.browser import browser_hash, cookies_blocked, request_token
from portal.ui.layout import page_setup
from portal.ui.survey_views import estimate_text, question_widget
from portal.ui.verify import verify_phone
from portal.ui.widgets import show_errors
from portal.validation import InputError

ctx = page_setup("满意度调查", english=True)
survey = current_survey(ctx.settings)
names = district_labels(ctx)
english_texts = survey_translation(ctx.settings.survey, "en") if i18n.english() else {}


def tr(text: str) -> str:
    """The questionnaire's own text (data/surveys) in the visitor's language."""
    return english_texts.get(text, text)


STEP, ANSWERS, DONE = "survey_step", "survey_answers", "survey_done"
steps = [("profile", t("关于您"))] + [(s.id, tr(s.title)) for s in survey.sections]

st.title(tr(survey.title), anchor=False)


@st.cache_data(ttl=60, show_spinner=False)
def summary(url: str, key: str):
    with ctx.db.read() as session:
        populations = {d.adcode: d.population for d in ctx.profile.districts}
        return (stats.overview(session, key, populations), stats.dimensions(session, key),
                stats.dont_know(session, key))


def show_summary() -> None:
    overview, dims, unknown = summary(ctx.db.url, survey.key)
    if not overview.responses:
        st.caption(t("还没有人提交问卷。"))
        return
    if overview.demo:
        st.warning(t("演示数据：以下得分由程序生成的演示问卷计算，不是真实调查结果。"), icon=":material/science:")
    st.metric(t("目前的满意度得分（0–100）"), f"{overview.weighted.mean:.1f}",
              help=t("按各区县常住人口加权；共 {n:,} 人参加。", n=overview.responses))
    st.caption(t("共 {n:,} 人参加。未加权得分 {score}。", n=overview.responses,
                 score=estimate_text(overview.overall)) + " " + tr(survey.scoring.method))
    unknown_counts = stats.dont_know_by_dimension(survey, unknown)
    st.caption(t("每道评分题都可以选“{dont_know}”：这样的回答单独统计（见各维度得分下方），不计入得分。",
                 dont_know=tr(survey.dont_know)))
    columns = st.columns(len(survey.scoring.dimensions))
    for column, d in zip(columns, survey.scoring.dimensions):
        est = dims.get(d.id)
        column.metric(tr(d.label), "—" if not est or est.mean is None else f"{est.mean:.1f}")
        column.caption(t("“{dont_know}” {n:,} 人次", dont_know=tr(survey.dont_know), n=unknown_counts[d.id]))


if st.session_state.get(DONE):
    st.success(t("问卷已提交，感谢您的参与！您的意见会用于改进本市的食品安全工作。"), icon=":material/favorite:")
    st.subheader(t("目前的调查结果"), anchor=False)
    show_summary()
    st.stop()

today = local_today()
if not survey.open_on(today):
    st.info(t("本期调查时间为 {start} 至 {end}，现在不在调查期内。", start=day(survey.period.from_),
              end=day(survey.period.to)))
    show_summary()
    st.stop()

# One response per browser and period: a signed token cookie (portal/ui/browser.py explains
# how it reaches the page), and the verified phone where the survey asks for one or where the
# browser keeps no cookies.
browser = browser_hash(ctx)
if browser:
    with ctx.db.read() as session:
        if responses.answered_here(session, survey, browser):
            st.info(t(responses.ALREADY_BROWSER), icon=":material/task_alt:")
            st.subheader(t("目前的调查结果"), anchor=False)
            show_summary()
            st.stop()

st.markdown(tr(survey.intro))
with st.expander(t("目前的调查结果")):
    show_summary()

if not browser and not cookies_blocked():
    request_token()             # stops here until the browser comes back with its token
if not browser:
    st.warning(t("您的浏览器没有保存 Cookie（可能关闭了 Cookie，或处于无痕、限制模式），我们无法确认这台设备"
                 "是否已经提交过问卷。请先验证手机号：每个号码每期可以提交一次。"), icon=":material/cookie_off:")
phone = None
if survey.verify_phone or not browser:
    who = verify_phone(ctx, "survey", "survey")
    if not who:
        st.stop()
    phone = who[0]
respondent = responses.Respondent(phone_hash=phone, browser_hash=browser)
step = st.session_state.setdefault(STEP, 0)
answers = st.session_state.setdefault(ANSWERS, {"profile": {}, "answers": {}})
st.progress((step + 1) / len(steps), text=t("第 {step} / {steps} 步：{title}", step=step + 1,
                                           steps=len(steps), title=steps[step][1]))
step_id = steps[step][0]
with st.form(f"survey_step_{step}"):
    if step_id == "profile":
        for field in survey.profile:
            options = [d.adcode for d in ctx.profile.districts] if field.type == "district" else field.options
            current = answers["profile"].get(field.id)
            shown = {v: names.get(v, tr(v)) for v in options}
            answers["profile"][field.id] = st.radio(
                tr(field.label) + ("" if field.required else aside(t("选答"))), options,
                index=options.index(current) if current in options else None,
                format_func=shown.get, horizontal=True, key=f"p_{field.id}")
    else:
        section = next(s for s in survey.sections if s.id == step_id)
        if any(q.type == "scale5" for q in section.questions):
            st.caption(t("请按您的感受选择：") + " → ".join(tr(label) for label in survey.scale))
        for q in section.questions:
            answers["answers"][q.id] = question_widget(survey, q, answers["answers"].get(q.id),
                                                       f"a_{q.id}", tr)
    left, right = st.columns(2)
    back = left.form_submit_button(t("上一步"), disabled=step == 0)
    last = step == len(steps) - 1
    forward = right.form_submit_button(t("提交问卷") if last else t("下一步"), type="primary")

if back:
    st.session_state[STEP] = step - 1
    st.rerun()
if forward:
    ids = [f.id for f in survey.profile] if step_id == "profile" else \
        [q.id for q in next(s for s in survey.sections if s.id == step_id).questions]
    missing = [i for i in ids if (survey.question(i) or next(p for p in survey.profile if p.id == i)).required
               and answers["answers" if survey.question(i) else "profile"].get(i) in (None, "", [])]
    if missing and not last:
        labels = [tr(survey.question(i).text if survey.question(i) else
                     next(p.label for p in survey.profile if p.id == i)) for i in missing]
        st.error(t("请先回答以下必答题：") + "\n" + "\n".join(f"- {label}" for label in labels))
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
            labels = {q.id: tr(q.text) for q in survey.questions} | {p.id: tr(p.label) for p in survey.profile}
            show_errors(exc, {**labels, "survey": N_("问卷"), "limit": N_("提交次数"),
                                      "phone": N_("手机号码")})
            first = next((i for i, (sid, _) in enumerate(steps) if any(
                k in ([f.id for f in survey.profile] if sid == "profile" else
                      [q.id for q in next(s for s in survey.sections if s.id == sid).questions])
                for k in exc.errors)), None)
            if first is not None and first != step:
                st.caption(t("请回到第 {step} 步“{title}”修改；您填写的内容都还在。", step=first + 1,
                             title=steps[first][1]))
        else:
            st.session_state[DONE] = True
            st.session_state.pop(ANSWERS, None)
            st.session_state.pop(STEP, None)
            cached.clear()
            st.rerun()
