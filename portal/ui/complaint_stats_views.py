"""Frames and charts for complaint statistics (public page and officials' overview). Column
names are in the visitor's language; the charts read them through the same t() calls."""
from __future__ import annotations

import altair as alt
import pandas as pd

from portal.complaints.stats import DEFINITIONS, Summary
from portal.i18n import N_, english, t

RECEIVED, ACCEPTED, FINISHED = N_("收到"), N_("受理"), N_("办结")
FINISH_RATE, ON_TIME_RATE = N_("办结率(%)"), N_("按期办结率(%)")
RATED, SATISFACTION = N_("评价数"), N_("满意度(%)")
MONTH = N_("提交月份")   # rows are grouped by the month a case was filed in


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def frame(rows: list[dict], label: str, names: dict | None = None) -> pd.DataFrame:
    """label: the grouping column's name, already in the visitor's language."""
    names = names or {}
    columns = [label] + [t(c) for c in (RECEIVED, ACCEPTED, FINISHED, FINISH_RATE, ON_TIME_RATE,
                                         RATED, SATISFACTION)]
    return pd.DataFrame([dict(zip(columns, (
        names.get(r["key"], r["key"] or t("未填写")), r["received"], r["accepted"], r["finished"],
        rate(r["finished"], r["received"]), rate(r["on_time"], r["finished"]), r["rated"],
        rate(r["satisfied"], r["rated"])))) for r in rows], columns=columns)


def monthly(rows: list[dict]) -> pd.DataFrame:
    """rows: complaints.stats.by_month."""
    return frame(rows, t(MONTH))


def count_bars(data: pd.DataFrame, label: str) -> alt.Chart:
    received = t(RECEIVED)
    y = alt.Y(f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=200))
    bars = alt.Chart(data).mark_bar().encode(
        y=y, x=alt.X(f"{received}:Q", title=t("收到件数"), axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[label] + [t(c) for c in (RECEIVED, FINISHED, FINISH_RATE, ON_TIME_RATE, SATISFACTION)])
    text = alt.Chart(data).mark_text(align="left", dx=4).encode(
        y=y, x=f"{received}:Q", text=alt.Text(f"{received}:Q", format="d"))
    return (bars + text).properties(height=max(160, 30 * len(data)))


def month_chart(data: pd.DataFrame) -> alt.Chart:
    month, received, finished = t(MONTH), t(RECEIVED), t(FINISHED)
    measure, cases = t("指标"), t("件数")
    long = data.melt(id_vars=[month], value_vars=[received, finished], var_name=measure,
                     value_name=cases)
    return alt.Chart(long).mark_bar().encode(
        x=alt.X(f"{month}:N", title=None), xOffset=alt.XOffset(f"{measure}:N", sort=[received, finished]),
        y=alt.Y(f"{cases}:Q", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color(f"{measure}:N", scale=alt.Scale(domain=[received, finished],
                                                         range=["#93c5fd", "#1d4e89"]),
                        legend=alt.Legend(orient="top", title=None)),
        tooltip=[month, measure, cases]).properties(height=260)


def month_chart_of(rows: list[dict]) -> alt.Chart:
    """month_chart from complaints.stats.by_month rows (charts are cached on the rows)."""
    return month_chart(monthly(rows))


def count_bars_of(rows: list[dict], label: str, names: dict | None = None) -> alt.Chart:
    return count_bars(frame(rows, label, names), label)


def headline(summary: Summary) -> list[tuple[str, str, str]]:
    """(label, value, definition) for st.metric and the caption under it: each figure with its
    one definition (complaints.stats.DEFINITIONS, also in the API's field spec)."""
    def pct(v):
        return "—" if v is None else f"{v:.1f}%"

    days = summary.median_working_days
    return [(t("收到投诉举报"), t("{n:,} 件", n=summary.received), t(DEFINITIONS["received"])),
            (t("已办结"), t("{n:,} 件", n=summary.finished), t(DEFINITIONS["finished"])),
            (t("办结率"), pct(summary.finish_rate), t(DEFINITIONS["finish_rate"])),
            (t("按期办结率"), pct(summary.on_time_rate), t(DEFINITIONS["on_time_rate"])),
            (t("办结用时中位数"), "—" if days is None else t("{n:g} 个工作日", n=days),
             t(DEFINITIONS["median_working_days"])),
            (t("处理满意度"), pct(summary.satisfaction),
             (" " if english() else "").join((t(DEFINITIONS["satisfaction"]),
                                              t("基于 {n:,} 条群众评价。", n=summary.rated)))),
            # Beside the rating: the follow-up questionnaire four weeks after closing.
            (t("回访：已解决"), pct(summary.resolved_rate),
             (" " if english() else "").join((t(DEFINITIONS["follow_up"]),
                                              t("基于 {n:,} 份回访回答。", n=summary.answered)))),
            (t("回访：部分解决"), pct(summary.partly_rate), t("基于 {n:,} 份回访回答。", n=summary.answered)),
            (t("回访：没有解决"), pct(summary.unresolved_rate),
             t("回答“没有解决”的案件重新交给办理人员，重新计算办理期限。"))]
