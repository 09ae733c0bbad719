"""Rendering for surveys: one question as a widget, estimates as text, tables and charts."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from portal.i18n import aside, t
from portal.surveys.definition import Question, Survey
from portal.surveys.scoring import Estimate


def question_widget(survey: Survey, q: Question, value, key: str, tr=lambda text: text):
    """tr: the questionnaire's text in the visitor's language; the answer keeps the Chinese
    option (labels are looked up here, not inside format_func, which AppTest calls outside
    the page run)."""
    label = tr(q.text) + ("" if q.required else aside(t("选答")))
    if q.type == "scale5":
        # The five levels, then 不了解/说不清 (stored as its Chinese text, left out of the score).
        options = [1, 2, 3, 4, 5, survey.dont_know]
        scale = {v: tr(survey.scale[v - 1]) for v in options[:5]} | {survey.dont_know: tr(survey.dont_know)}
        return st.radio(label, options, index=options.index(value) if value in options else None,
                        format_func=scale.get, horizontal=True, key=key)
    names = {option: tr(option) for option in q.options}
    if q.type == "single":
        return st.radio(label, q.options, index=q.options.index(value) if value in q.options else None,
                        format_func=names.get, key=key)
    if q.type == "multi":
        return st.multiselect(label, q.options, default=[v for v in (value or []) if v in q.options],
                              key=key, placeholder=t("可选择多项"), format_func=names.get)
    return st.text_area(label, value=value or "", max_chars=q.max_len, key=key,
                        help=t("请不要填写电话、身份证号等个人信息；如有填写，保存时会自动隐去。"))


def estimate_text(est: Estimate) -> str:
    if est.mean is None:
        return "—"
    if est.half_width is None:
        return f"{est.mean:.1f}" + aside(t("n = {n}，样本太少，无法估计区间", n=est.n))
    return f"{est.mean:.1f}" + aside(t("95% 置信区间 {low:.1f}–{high:.1f}，n = {n:,}", low=est.low,
                                       high=est.high, n=est.n))


def estimate_frame(rows: dict, label: str, names: dict | None = None) -> pd.DataFrame:
    names = names or {}
    return pd.DataFrame([{label: names.get(k, k or "未填写"), "样本量": e.n,
                          "得分": None if e.mean is None else round(e.mean, 1),
                          "95%下限": None if e.low is None else round(e.low, 1),
                          "95%上限": None if e.high is None else round(e.high, 1)}
                         for k, e in rows.items()],
                        columns=[label, "样本量", "得分", "95%下限", "95%上限"])


def dont_know_frame(survey: Survey, counts: dict[str, int], responses: int) -> pd.DataFrame:
    """Each rating question's 不了解/说不清 answers, for the analysts' table and its export."""
    from portal.surveys.stats import dont_know_rows

    return pd.DataFrame([{"题目": r.text, "维度": survey.dimension_label(r.dimension), "人数": r.count,
                          "占比（%）": None if r.share is None else round(r.share, 1)}
                         for r in dont_know_rows(survey, counts, responses)],
                        columns=["题目", "维度", "人数", "占比（%）"])


def score_bars(frame: pd.DataFrame, label: str, target: float) -> alt.Chart:
    """Each group's score as a dot with its 95 % interval (a bar would suggest a zero the
    axis does not start at), the target as a dashed line, the value written beside."""
    lows = frame["95%下限"].dropna()
    start = max(0, int(min([float(lows.min()) if len(lows) else target, target]) // 5 * 5) - 5)
    scale = alt.Scale(domain=[start, 100], clamp=True)
    y = alt.Y(f"{label}:N", sort=None, title=None, axis=alt.Axis(labelLimit=200, labelOverlap=False))
    base = alt.Chart(frame)
    errors = base.mark_errorbar(color="#475569", thickness=2).encode(
        y=y, x=alt.X("95%下限:Q", scale=scale, title="得分（0–100），线段为 95% 置信区间"), x2="95%上限:Q")
    dots = base.mark_point(filled=True, size=90, color="#1d4e89").encode(
        y=y, x=alt.X("得分:Q", scale=scale), tooltip=[label, "得分", "95%下限", "95%上限", "样本量"])
    text = base.mark_text(align="left", dx=8, dy=-8, color="#1f2933").encode(
        y=y, x=alt.X("得分:Q", scale=scale), text=alt.Text("得分:Q", format=".1f"))
    line = alt.Chart(pd.DataFrame({"目标": [target]})).mark_rule(color="#b91c1c", strokeDash=[4, 4]) \
        .encode(x=alt.X("目标:Q", scale=scale))
    return (errors + dots + text + line).properties(height=max(160, 46 * len(frame)))


def trend_chart(frame: pd.DataFrame, label: str, target: float) -> alt.Chart:
    x = alt.X(f"{label}:N", sort=None, title=None)
    band = alt.Chart(frame).mark_area(opacity=0.2, color="#1d4e89").encode(
        x=x, y=alt.Y("95%下限:Q", scale=alt.Scale(zero=False), title="得分"), y2="95%上限:Q")
    line = alt.Chart(frame).mark_line(point=True, color="#1d4e89").encode(
        x=x, y="得分:Q", tooltip=[label, "得分", "95%下限", "95%上限", "样本量"])
    goal = alt.Chart(pd.DataFrame({"目标": [target]}))
    rule = goal.mark_rule(color="#b91c1c", strokeDash=[4, 4]).encode(y="目标:Q")
    text = goal.mark_text(align="left", dy=-6, color="#b91c1c").encode(
        x=alt.value(4), y="目标:Q", text=alt.value(f"目标 {target:g} 分"))
    return (band + line + rule + text).properties(height=280)


def table_downloads(frame: pd.DataFrame, stem: str, sheet: str, notes: list[str]) -> None:
    from portal.exports import to_csv_bytes, to_xlsx_bytes

    left, right = st.columns(2)
    # Callables: the files are made when someone clicks, not on every rerun of the page.
    left.download_button("下载 CSV", lambda: to_csv_bytes(frame), file_name=f"{stem}.csv",
                         mime="text/csv", key=f"csv_{stem}")
    right.download_button("下载 Excel", lambda: to_xlsx_bytes(frame, sheet, notes), file_name=f"{stem}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"xlsx_{stem}")


@st.cache_data(max_entries=200, show_spinner=False)
def _spec(kind: str, frame: pd.DataFrame, label: str, target: float) -> dict:
    builder = {"bars": score_bars, "trend": trend_chart}[kind]
    return builder(frame, label, target).to_dict()


def chart(kind: str, frame: pd.DataFrame, label: str, target: float) -> None:
    """An altair chart whose Vega-Lite spec is built once per data: building and validating
    the spec costs far more than the page's cached queries on a rerun."""
    st.vega_lite_chart(spec=_spec(kind, frame, label, target), width="stretch")
