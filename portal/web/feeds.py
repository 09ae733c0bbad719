"""The Atom feeds under /feeds, mounted on st.App beside the API (streamlit_app.py):

  /feeds/sampling.atom            newest batches announced here; result=fail|pass, district
                                  (an adcode), category, q (a keyword, as 抽检结果 searches)
  /feeds/business/{id}.atom       one business: grade changes, failed batches, list entries,
                                  核查处置 outcomes
  /feeds/lists.atom               entries into and out of 红黑榜
  /feeds/rounds.atom              你点我检 rounds: opened, plan fixed, results published

Each answer is a cached document (portal.web.atom.FeedCache) keyed on the feed, its filters
and the data version row (portal.data_version: every official write changes it), with a
strong ETag (a hash of the bytes) and the version's time as Last-Modified, so a reader
polling an unchanged feed gets 304. A client may make at most PORTAL_API_RATE requests a
minute, and cause at most BUILDS_PER_MINUTE builds (documents not in the cache): distinct
filters cannot buy the server's cores or memory. Parameters are checked: an unknown or
malformed one gets 400 with a message saying which and why.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from portal import data_version, feed_paths
from portal.bootstrap import Portal
from portal.client_window import ClientWindow
from portal.clients import client_address
from portal.config import Settings
from portal.registry.models import Business
from portal.http_dates import unchanged_since
from portal.sampling.schemas import MAX_KEYWORD, RESULTS, SamplingFilter
from portal.timeutil import local_today
from portal.validation import clean_query
from portal.web import atom
from portal.web.feed_entries import DEMO, business_entries, list_entries, round_entries, sampling_entries

BUILDS_PER_MINUTE = 12
MAX_AGE = 300           # seconds a reader may reuse a feed before asking again (then 304)
MEDIA_TYPE = "application/atom+xml; charset=utf-8"


class BadRequest(Exception):
    def __init__(self, message: str, message_en: str, status: int = 400, headers: dict | None = None):
        self.message, self.message_en, self.status, self.headers = message, message_en, status, headers or {}


def _one(request: Request, allowed: set[str]) -> dict[str, str]:
    """The query parameters, each at most once and each one the feed knows."""
    unknown = sorted({key for key in request.query_params} - allowed)
    if unknown:
        raise BadRequest(f"不认识的参数：{'、'.join(unknown)[:100]}。可用：{'、'.join(sorted(allowed)) or '无'}",
                         f"Unknown parameter: {', '.join(unknown)[:100]}")
    repeated = sorted({key for key, _ in request.query_params.multi_items()
                       if len(request.query_params.getlist(key)) > 1})
    if repeated:
        raise BadRequest(f"参数只能给一次：{'、'.join(repeated)}", f"Parameter given twice: {', '.join(repeated)}")
    return dict(request.query_params)


def sampling_filter(params: dict[str, str], district_codes: set[str]) -> SamplingFilter:
    result = params.get("result", "")
    if result and result not in RESULTS:
        raise BadRequest("result 只能是 fail（不合格）或 pass（合格）", "result must be fail or pass")
    district = params.get("district", "")
    if district and district not in district_codes:
        raise BadRequest("district 应是本辖区一个区县的行政区划代码（6 位数字）",
                         "district must be the adcode of one of this jurisdiction's districts")
    for key in ("category", "q"):
        if len(params.get(key, "")) > MAX_KEYWORD:
            raise BadRequest(f"{key} 最长 {MAX_KEYWORD} 个字", f"{key} is at most {MAX_KEYWORD} characters")
    return SamplingFilter(q=clean_query(params.get("q", ""), MAX_KEYWORD),
                          category=clean_query(params.get("category", ""), MAX_KEYWORD),
                          result=result, district=district, scope="local")


def business_id(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or int(raw) < 1:
        raise BadRequest("商户编号应是正整数，例如 /feeds/business/12.atom",
                         "The business id is a positive whole number, e.g. /feeds/business/12.atom")
    return int(raw)


def _http_date(moment: datetime | None) -> str | None:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True) if moment else None


def not_modified(request: Request, rendered: atom.Rendered) -> bool:
    """If-None-Match decides when given (RFC 9110 13.2.2); else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/").strip('"') for tag in if_none_match.split(",")]
        return "*" in tags or rendered.etag in tags
    return unchanged_since(request.headers.get("if-modified-since"), rendered.last_modified)


def cached_response(request: Request, rendered: atom.Rendered, media_type: str = MEDIA_TYPE,
                    max_age: int = MAX_AGE) -> Response:
    """A cached document (a feed, a door page) with its validators, or 304 when the reader's
    copy is current."""
    headers = {"ETag": f'"{rendered.etag}"', "Cache-Control": f"public, max-age={max_age}"}
    if rendered.last_modified:
        headers["Last-Modified"] = _http_date(rendered.last_modified)
    if not_modified(request, rendered):
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type=media_type, headers=headers)


def error(exc: BadRequest) -> Response:
    return PlainTextResponse(f"{exc.message}\n{exc.message_en}\n", status_code=exc.status,
                             headers=exc.headers)


def feed_routes(portal: Callable[[], Portal], settings: Settings, *,
                cache: atom.FeedCache | None = None,
                builds_per_minute: int = BUILDS_PER_MINUTE) -> Mount:
    cache = cache if cache is not None else atom.FeedCache()   # an empty cache is falsy
    requests = ClientWindow(settings.api_requests_per_minute)
    builds = ClientWindow(builds_per_minute)
    public_url = settings.public_url

    def client_of(request: Request) -> str:
        return client_address(request.client.host if request.client else None,
                              request.headers, settings.trusted_proxy)

    def limited(client: str, window: ClientWindow, what: str, what_en: str) -> None:
        verdict = window.check(client)
        if not verdict.allowed:
            raise BadRequest(f"{what}过于频繁：每分钟最多 {verdict.limit} 次，请 {verdict.retry_after} 秒后再试",
                             f"{what_en}: at most {verdict.limit} a minute; retry in {verdict.retry_after} s",
                             status=429, headers={"Retry-After": str(verdict.retry_after)})

    def serve(request: Request, feed: atom.Feed, key: tuple, read: Callable) -> Response:
        """read(session, current): the entries, under the same read as the version."""
        client = client_of(request)
        current = portal()
        with current.db.read() as session:
            version, written = data_version.stamp(session)
            last_modified = min(written.replace(tzinfo=timezone.utc), datetime.now(timezone.utc)) \
                if written else None

            def build() -> bytes:
                return atom.render(feed, read(session, current), public_url=public_url,
                                   jurisdiction=current.profile.adcode, author=current.profile.bureau,
                                   version_time=last_modified)

            rendered = cache.fetch((feed.path, key, version, public_url), build, last_modified,
                                   admit=lambda: limited(client, builds, "新的订阅筛选",
                                                         "Too many new feed filters"))
        return cached_response(request, rendered)

    def guarded(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            try:
                limited(client_of(request), requests, "请求", "Too many requests")
                return handler(request)
            except BadRequest as exc:
                return error(exc)
            except atom.Busy:
                return error(BadRequest("服务繁忙，请稍后再试", "Busy, please retry shortly", status=503,
                                        headers={"Retry-After": "5"}))
        return endpoint

    def sampling(request: Request) -> Response:
        params = _one(request, {"result", "district", "category", "q"})
        districts = {d.adcode for d in portal().profile.districts}
        flt = sampling_filter(params, districts)
        query = urlencode({k: v for k, v in (("result", params.get("result", "")),
                                             ("district", flt.district), ("category", flt.category),
                                             ("q", flt.q)) if v})
        page_params = {k: v for k, v in flt.to_params().items() if k != "scope"}
        feed = atom.Feed(feed_paths.SAMPLING, query, "食品抽检结果" + _described(flt, portal()),
                         "新公布的食品安全监督抽检结果（最新 50 批次）",
                         "sampling" + (f"?{urlencode(page_params)}" if page_params else ""))
        return serve(request, feed, tuple(sorted(page_params.items())),
                     lambda session, current: sampling_entries(session, flt, current.profile))

    def business(request: Request) -> Response:
        _one(request, set())
        ident = business_id(request.path_params["business_id"])
        current = portal()
        with current.db.read() as session:
            found = session.get(Business, ident)
            name = (DEMO if found.is_demo else "") + found.name if found else None
        if name is None:
            raise BadRequest(f"没有编号为 {ident} 的商户", f"No business {ident}", status=404)
        feed = atom.Feed(feed_paths.business(ident), "", f"{name}：动态",
                         "量化分级变化、不合格抽检、红黑榜记录和核查处置结果", f"business?id={ident}")

        def read(session, current):
            return business_entries(session, session.get(Business, ident), current.profile, local_today())

        return serve(request, feed, (ident,), read)

    def lists(request: Request) -> Response:
        _one(request, set())
        feed = atom.Feed(feed_paths.LISTS, "", "红黑榜", "列入和移出严重违法失信名单（黑榜）、红榜的单位", "lists")
        return serve(request, feed, (), lambda session, current: list_entries(session, current.profile))

    def rounds(request: Request) -> Response:
        _one(request, set())
        feed = atom.Feed(feed_paths.ROUNDS, "", "你点我检", "你点我检：新一轮开始、抽检计划确定、抽检结果公布", "rounds")
        return serve(request, feed, (), lambda session, current: round_entries(session))

    return Mount("/feeds", routes=[
        Route("/sampling.atom", guarded(sampling), methods=["GET"]),
        Route("/business/{business_id}.atom", guarded(business), methods=["GET"]),
        Route("/lists.atom", guarded(lists), methods=["GET"]),
        Route("/rounds.atom", guarded(rounds), methods=["GET"]),
    ])


def _described(flt: SamplingFilter, current: Portal) -> str:
    parts = [current.profile.district_name(flt.district) if flt.district else "",
             flt.category, flt.stored_result, f"“{flt.q}”" if flt.q else ""]
    shown = " · ".join(p for p in parts if p)
    return f"（{shown}）" if shown else ""


def mounted_feeds() -> Mount:
    """The feeds as streamlit_app.py mounts them: the process's Portal and settings."""
    from portal.config import load_settings
    from portal.runtime import get_portal

    return feed_routes(get_portal, load_settings())
