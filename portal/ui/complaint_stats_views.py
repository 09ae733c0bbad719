"""Frames and charts for complaint statistics (public page and officials' overview)."""
from __future__ import annotations

import altair as alt
import pandas as pd

from portal.complaints.stats import Summary

METHOD = ("口径：收到 = 期间内提交的投诉和举报件数（含合并件）；办结 = 已办结或已作出不予受理决定的件数；"
          "办结率 = 办结 ÷ 收到；按期办结率 = 在法定期限内办结的件数 ÷ 办结件数（期限按工作日计算，"
          "节假日和调休依国务院公布的安排）；办结用时 = 从收到到办结的工作日数的中位数；"
          "满意度 = 评价为“满意”或“基本满意”的件数 ÷ 评价件数。")


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def frame(rows: list[dict], label: str, names: dict | None = None) -> pd.DataFrame:
    names = names or {}
    return pd.DataFrame([{label: names.get(r["key"], r["key"] or "未填写"),
                         "收到": r["received"], "受理": r["accepted"], "办结": r["finished"],
                         "办结率(%)": rate(r["finished"], r["received"]),
                         "按期办结率(%)": rate(r["on_time"], r["finished"]),
                         "评价数": r["rated"], "满意度(%)": rate(r["satisfied"], r["rated"])}
                        for r in rows], columns=[label, "收到", "受理", "办结", "办结率(%)",
                                                 "按期办结率(%)", "评价数", "满意度(%)"])


def monthly(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return frame([], "月份")
    days = pd.DataFrame(rows)
    days["key"] = pd.to_datetime(days["key"]).dt.strftime("%Y-%m")
    months = days.groupby("key", as_index=False)[
        ["received", "accepted", "finished", "on_time", "rated", "satisfied"]].sum()
    return frame(months.to_dict("records"), "月份")


def count_bars(data: pd.DataFrame, label: str) -> alt.Chart:
    y = alt.Y(f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=200))
    bars = alt.Chart(data).mark_bar().encode(
        y=y, x=alt.X("收到:Q", title="收到件数", axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[label, "收到", "办结", "办结率(%)", "按期办结率(%)", "满意度(%)"])
    text = alt.Chart(data).mark_text(align="left", dx=4).encode(
        y=y, x="收到:Q", text=alt.Text("收到:Q", format="d"))
    return (bars + text).properties(height=max(160, 30 * len(data)))


def month_chart(data: pd.DataFrame) -> alt.Chart:
    long = data.melt(id_vars=["月份"], value_vars=["收到", "办结"], var_name="指标", value_name="件数")
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("月份:N", title=None), xOffset=alt.XOffset("指标:N", sort=["收到", "办结"]),
        y=alt.Y("件数:Q", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("指标:N", scale=alt.Scale(domain=["收到", "办结"], range=["#93c5fd", "#1d4e89"]),
                        legend=alt.Legend(orient="top", title=None)),
        tooltip=["月份", "指标", "件数"]).properties(height=260)


def headline(summary: Summary) -> list[tuple[str, str, str]]:
    """(label, value, help) for st.metric."""
    def pct(v):
        return "—" if v is None else f"{v:.1f}%"

    return [("收到投诉举报", f"{summary.received:,} 件", "期间内群众提交的投诉和举报。"),
            ("已办结", f"{summary.finished:,} 件", f"其中受理 {summary.accepted:,} 件。"),
            ("办结率", pct(summary.finish_rate), "办结 ÷ 收到，目标 100%。"),
            ("按期办结率", pct(summary.on_time_rate), "在法定期限内办结的比例。"),
            ("办结用时中位数", "—" if summary.median_working_days is None else
             f"{summary.median_working_days:g} 个工作日", "一半的案件在这个工作日数内办结。"),
            ("处理满意度", pct(summary.satisfaction), f"基于 {summary.rated:,} 条群众评价。")]
