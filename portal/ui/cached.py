"""Cached reads for pages (st.cache_data), shared by every visitor of this process.

Keyed by database, jurisdiction and the data version (portal.data_version): an official's
change through any process gives a new key at once. The TTL refreshes figures that citizens'
own writes change (complaint and vote counts), which do not change the version. Writers in
this process also call clear(), which frees the old entries at once."""
from __future__ import annotations

import threading

import streamlit as st
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal import data_version
from portal.demo.generator import has_demo_data
from portal.registry.models import District
from portal.home import district_overview, headline_figures
from portal.sampling import queries as sampling_queries
from portal.sampling.schemas import SamplingFilter
from portal.ui.layout import PageContext, get_portal

TTL = 60


_LAST_VERSION: dict[str, str] = {}


# The versions read in this script run: a page keys many reads on the version, and they all
# see the data of one moment. page_setup starts each run's memo; it is used only in the run it
# was started in (Streamlit gives each run, fragments' included, a new `cursors` dict), so a
# callback before page_setup, or anything outside a page run, reads the version itself.
_RUN = threading.local()


def _this_run():
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    run_ctx = get_script_run_ctx()
    return run_ctx.cursors if run_ctx is not None else None


def start_run() -> None:
    _RUN.run, _RUN.versions = _this_run(), {}


def version(ctx: PageContext) -> str:
    """The data version, read once per script run (one primary-key read) and never cached
    across runs. While the database cannot be reached, the last version this process read,
    so that pages keep showing what is cached and a citizen's form can say that saving
    failed (keeping what was typed) instead of the whole page failing."""
    run = _this_run()
    if run is None or getattr(_RUN, "run", None) is not run:
        return _read_version(ctx)
    if ctx.db.url not in _RUN.versions:
        _RUN.versions[ctx.db.url] = _read_version(ctx)
    return _RUN.versions[ctx.db.url]


def _read_version(ctx: PageContext) -> str:
    try:
        current = data_version.read(ctx.db.engine)
    except OperationalError:
        if ctx.db.url not in _LAST_VERSION:
            raise
        return _LAST_VERSION[ctx.db.url]
    _LAST_VERSION[ctx.db.url] = current
    return current


@st.cache_data(ttl=TTL, show_spinner=False)
def _home(url: str, version: str, adcode: str):
    portal = get_portal()
    with portal.db.read() as session:
        return (headline_figures(session, portal.profile),
                district_overview(session, portal.profile))


def home(ctx: PageContext):
    return _home(ctx.db.url, version(ctx), ctx.profile.adcode)


@st.cache_data(ttl=TTL, show_spinner=False)
def _demo_present(url: str, version: str) -> bool:
    with get_portal().db.read() as session:
        return has_demo_data(session)


def demo_present(ctx: PageContext) -> bool:
    return _demo_present(ctx.db.url, version(ctx))


@st.cache_data(show_spinner=False)
def _boundaries(path: str) -> dict:
    import json
    from pathlib import Path

    return json.loads(Path(path).read_text(encoding="utf-8"))


def boundaries(ctx: PageContext) -> dict:
    """The jurisdiction's district boundaries (GeoJSON), read from disk once; each caller
    gets its own copy (folium may add styles to the features)."""
    return _boundaries(str(ctx.profile.boundaries_path))


def clear() -> None:
    st.cache_data.clear()
    start_run()         # a write in this run: its next reads see the new version


# --- sampling ---------------------------------------------------------------------------------


# The filter itself is part of the key: it is frozen, and equal searches hash alike.
@st.cache_data(ttl=TTL, show_spinner=False, max_entries=500)
def _sampling_search(url: str, version: str, flt: SamplingFilter, page: int):
    with get_portal().db.read() as session:
        return sampling_queries.search(session, flt, page)


def sampling_search(ctx: PageContext, flt: SamplingFilter, page: int):
    return _sampling_search(ctx.db.url, version(ctx), flt, page)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=1000)
def _sampling_batch(url: str, version: str, batch_id: int):
    from portal.rounds.queries import rounds_for_batches
    from portal.sampling.reviews import reviews_of

    with get_portal().db.read() as session:
        batch = sampling_queries.get_batch(session, batch_id)
        if batch is None:
            return None, None, []
        return (batch, rounds_for_batches(session, [batch_id]).get(batch_id),
                reviews_of(session, [batch_id]).get(batch_id, []))


def sampling_batch(ctx: PageContext, batch_id: int):
    """(the batch with its failed items, 核查处置 and registry entries, or None; the 你点我检
    round it came from, or None; its 复检/异议 applications). One entry per id asked for, at most 1,000 kept."""
    return _sampling_batch(ctx.db.url, version(ctx), batch_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _district_names(url: str, version: str) -> dict[str, str]:
    with get_portal().db.read() as session:
        return dict(session.execute(select(District.adcode, District.name)).all())


def district_names(ctx: PageContext) -> dict[str, str]:
    return _district_names(ctx.db.url, version(ctx))


@st.cache_data(ttl=TTL, show_spinner=False)
def _business_types(url: str, version: str, adcode: str) -> list[str]:
    from portal.registry.queries import business_types as types

    with get_portal().db.read() as session:
        return types(session, adcode)


def business_types(ctx: PageContext) -> list[str]:
    """The jurisdiction's business types, for the filters."""
    return _business_types(ctx.db.url, version(ctx), ctx.profile.adcode)


@st.cache_data(ttl=TTL, show_spinner=False)
def _sampling_categories(url: str, version: str) -> list[str]:
    with get_portal().db.read() as session:
        return sampling_queries.categories(session)


def sampling_categories(ctx: PageContext) -> list[str]:
    return _sampling_categories(ctx.db.url, version(ctx))


@st.cache_data(ttl=TTL, show_spinner="正在统计…", max_entries=100)
def _sampling_stats(url: str, version: str, flt: SamplingFilter, population: int, year: int):
    q = sampling_queries
    with get_portal().db.read() as session:
        return {
            "category": q.rates_by_category(session, flt),
            "district": q.rates_by_district(session, flt),
            "month": q.rates_by_month(session, flt),
            "items": q.top_failed_items(session, flt),
            "per_thousand": q.batches_per_thousand(session, population, year),
            "per_thousand_last": q.batches_per_thousand(session, population, year - 1),
            "data_date": q.data_date(session),
        }


def sampling_stats(ctx: PageContext, flt: SamplingFilter, year: int):
    return _sampling_stats(ctx.db.url, version(ctx), flt, ctx.profile.population, year)


# --- maps -------------------------------------------------------------------------------------
# A page run waits this long for another build of the map's points (portal.map_feed).
MAP_POINTS_WAIT_SECONDS = 60


def map_points(ctx: PageContext, flt, crs: str = "wgs84"):
    """The map's points for a filter (portal.map_feed.MapPoints): the same cache the map's
    fetch reads, keyed on the data version, so the page's count and the map's pins agree."""
    from portal import map_feed
    from portal.timeutil import local_today

    return map_feed.points(ctx.db, ctx.profile.adcode, flt, crs, local_today(),
                           wait=MAP_POINTS_WAIT_SECONDS, version=version(ctx))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=20)
def _map_layers(url: str, version: str, adcode: str):
    from portal import map_layers
    from portal.timeutil import local_today

    with get_portal().db.read() as session:
        today = local_today()
        return ([tuple(r) for r in map_layers.failed_units(session, adcode, today)],
                [tuple(r) for r in map_layers.black_listed(session, adcode, today)])


def map_layers(ctx: PageContext):
    return _map_layers(ctx.db.url, version(ctx), ctx.profile.adcode)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=20)
def _test_room_rows(url: str, version: str, adcode: str):
    from portal.test_rooms.queries import map_rows

    with get_portal().db.read() as session:
        return map_rows(session, adcode)


def test_room_rows(ctx: PageContext):
    """The open testing rooms for the map's 快检室 layer (a few dozen: carried by the map)."""
    return _test_room_rows(ctx.db.url, version(ctx), ctx.profile.adcode)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=20)
def _district_values(url: str, version: str, adcode: str, figure: str):
    from portal import map_layers
    from portal.timeutil import local_today

    with get_portal().db.read() as session:
        return map_layers.district_values(session, adcode, figure, local_today())


def district_values(ctx: PageContext, figure: str):
    return _district_values(ctx.db.url, version(ctx), ctx.profile.adcode, figure)


# --- 红黑榜 ------------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False, max_entries=200)
def _list_entries(url: str, version: str, adcode: str, today, q: str):
    from portal.lists.models import BLACK, RED
    from portal.lists.queries import active_entries, any_demo

    with get_portal().db.read() as session:
        return ({kind: active_entries(session, kind, adcode, today, q) for kind in (BLACK, RED)},
                any_demo(session))


def list_entries(ctx: PageContext, today, q: str):
    """({kind: entries in force matching q}, whether any entry is demo data). One entry per
    keyword typed (at most 200 kept), so a stranger's many keywords cannot fill memory."""
    return _list_entries(ctx.db.url, version(ctx), ctx.profile.adcode, today, q)


# --- 投诉举报办理公开 ------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False, max_entries=200)
def _finished_cases(url: str, version: str, category: str | None, district: str | None, start, end,
                    page: int):
    from portal.complaints.stats import finished_cases

    with get_portal().db.read() as session:
        return finished_cases(session, category=category, district_adcode=district, start=start,
                              end=end, page=page)


def finished_cases(ctx: PageContext, category: str | None, district: str | None, start, end, page: int):
    """(total, one page of finished cases) for the public list. Cases are finished by
    officials (a new data version); the TTL catches the day's change of what counts."""
    return _finished_cases(ctx.db.url, version(ctx), category, district, start, end, page)


# --- 商户页面 ------------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False, max_entries=1000)
def _business_page(url: str, version: str, business_id: int, today):
    from portal.complaints.stats import business_counts
    from portal.lists.queries import business_history
    from portal.ratings.queries import business_rating
    from portal.registry.models import Business
    from portal.ratings.replies import published_reply
    from portal.rounds.queries import rounds_for_batches
    from portal.sampling.queries import sampling_record
    from portal.sampling.reviews import reviews_of

    with get_portal().db.read() as session:
        business = session.get(Business, business_id)
        if business is None:
            return None
        record = sampling_record(session, business_id)
        recent = [b.id for b in record.recent]
        return (business, record, business_rating(session, business, today),
                business_history(session, business_id), business_counts(session, business_id),
                rounds_for_batches(session, recent), published_reply(session, business_id),
                reviews_of(session, recent))


def business_page(ctx: PageContext, business_id: int, today):
    """What a business's page shows: (business, sampling record, rating, list entries,
    complaint counts, {batch id: 你点我检 round}, the published reply to its grade,
    {batch id: 复检/异议}), or None. One entry per id asked for, at
    most 1,000 kept; complaint counts (citizens' filings) refresh with the TTL."""
    return _business_page(ctx.db.url, version(ctx), business_id, today)
