"""Charts drawn from cached Vega-Lite specs send what st.altair_chart sends."""
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from portal.ui import charts
from portal.ui.complaint_stats_views import count_bars_of, month_chart_of

ROWS = [{"key": f"2026-{m:02d}", "received": 30 + m, "accepted": 20, "finished": 10, "on_time": 9,
         "rated": 5, "satisfied": 4} for m in range(1, 13)]


def test_a_cached_spec_is_the_one_altair_chart_would_send():
    assert charts.spec(month_chart_of, ROWS) == _convert_altair_to_vega_lite_spec(month_chart_of(ROWS))
    assert charts.spec(count_bars_of, ROWS, "区县", {}) == \
        _convert_altair_to_vega_lite_spec(count_bars_of(ROWS, "区县", {}))


def test_other_data_gives_another_spec():
    changed = [dict(ROWS[0], received=999)] + ROWS[1:]
    assert charts.spec(month_chart_of, changed) != charts.spec(month_chart_of, ROWS)
    assert charts.spec(month_chart_of, changed) == \
        _convert_altair_to_vega_lite_spec(month_chart_of(changed))


def test_a_page_run_reads_the_data_version_once(app_env, monkeypatch):
    """Every cached read of a run (办理公开 makes five) is keyed on the version the run read
    first; each run reads it again (a change through another process is seen on the next
    visit)."""
    from helpers.pages import open_page

    from portal import data_version

    at = open_page("pages/complaint_stats.py")
    reads = []
    read = data_version.read
    monkeypatch.setattr(data_version, "read", lambda engine: reads.append(1) or read(engine))
    for run in (1, 2):
        at.run()
        assert not at.exception and len(reads) == run
