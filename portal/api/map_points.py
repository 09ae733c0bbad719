"""GET /api/v1/map-points: the business map's points (portal.map_feed), fetched by the map
after the page has drawn.

An answer is the cache's bytes as they are: gzip when the client accepts it (Streamlit's
gzip middleware leaves an encoded body alone, so nothing is compressed per request), a strong
ETag with 304 on If-None-Match, and a short max-age. Beside the API's per-client window, a
client may cause at most BUILDS_PER_MINUTE builds (answers not in the cache) a minute, and
builds run one at a time: a stranger sending many distinct filters gets 429 or 503, not the
server's cores or memory.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import FastAPI, Query, Request, Response

from portal import map_feed
from portal.api import params as p
from portal.api import schemas
from portal.api.errors import error_response
from portal.api.limits import Busy, QuerySlots
from portal.client_window import ClientWindow
from portal.bootstrap import Portal
from portal.clients import client_address
from portal.ratings.queries import MapFilter
from portal.timeutil import local_today

BUILDS_PER_MINUTE = 12
MAX_AGE = 15            # seconds a browser reuses an answer before asking again (then 304)
GRADE_NAMES = {code: name for name, code in map_feed.GRADES.items()}
KITCHEN_NAMES = {code: name for name, code in map_feed.KITCHENS.items()}


class TooManyBuilds(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after


def map_filter(q: p.MapPointsParams) -> MapFilter:
    return MapFilter(kinds=tuple(q.kind), classes=tuple(GRADE_NAMES[g] for g in q.grade),
                     district=q.district, kitchen=KITCHEN_NAMES.get(q.kitchen, ""), name=q.name)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Accept-Encoding names gzip (or *) with a quality above 0."""
    chosen = {}
    for part in (accept_encoding or "").split(","):
        coding, _, parameters = part.partition(";")
        parameters = parameters.strip().replace(" ", "")
        try:
            quality = float(parameters[2:]) if parameters.startswith("q=") else 1.0
        except ValueError:
            quality = 0.0
        chosen[coding.strip().lower()] = quality
    return chosen.get("gzip", chosen.get("*", 0.0)) > 0


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match names this version (in either content coding), or is *."""
    for tag in (if_none_match or "").split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag and (tag == "*" or tag.removesuffix("-gzip") == etag):
            return True
    return False


def points_response(request: Request, entry: map_feed.MapPoints) -> Response:
    gzipped = accepts_gzip(request.headers.get("accept-encoding"))
    # Strong ETags name one representation: the gzip one has its own.
    headers = {"ETag": f'"{entry.etag}-gzip"' if gzipped else f'"{entry.etag}"',
               "Cache-Control": f"public, max-age={MAX_AGE}", "Vary": "Accept-Encoding"}
    if etag_matches(request.headers.get("if-none-match"), entry.etag):
        return Response(status_code=304, headers=headers)
    if gzipped:
        return Response(entry.body, media_type="application/json",
                        headers=headers | {"Content-Encoding": "gzip"})
    return Response(entry.json_bytes(), media_type="application/json", headers=headers)


def add_route(api: FastAPI, portal: Callable[[], Portal], slots: QuerySlots, *,
              trusted_proxy: bool, builds_per_minute: int = BUILDS_PER_MINUTE,
              cache: map_feed.PointsCache = map_feed.CACHE) -> None:
    builds = ClientWindow(builds_per_minute)

    @api.exception_handler(TooManyBuilds)
    def on_too_many_builds(request: Request, exc: TooManyBuilds):
        return error_response(
            429, "too_many_filters",
            f"地图筛选过于频繁：每分钟最多 {builds_per_minute} 种新的筛选，请 {exc.retry_after} 秒后再试",
            f"Too many new map filters: at most {builds_per_minute} a minute; retry in "
            f"{exc.retry_after} s", headers={"Retry-After": str(exc.retry_after)})

    @api.get("/map-points", response_model=schemas.MapPoints,
             responses={304: {"description": "未变化（If-None-Match）/ not modified"}},
             summary="餐饮地图上的单位（紧凑格式）/ the map's businesses, compact rows",
             tags=["商户 businesses"])
    def map_points(request: Request, params: Annotated[p.MapPointsParams, Query()]):
        client = client_address(request.client.host if request.client else None,
                                request.headers, trusted_proxy)

        def admit() -> None:
            verdict = builds.check(client)
            if not verdict.allowed:
                raise TooManyBuilds(verdict.retry_after)

        current = portal()
        with slots.slot():
            try:
                entry = map_feed.points(current.db, current.profile.adcode, map_filter(params),
                                        params.crs, local_today(), admit=admit, cache=cache)
            except map_feed.Busy:
                raise Busy from None
        return points_response(request, entry)
