"""The door page /b/{id}: what a citizen sees after scanning the code on a restaurant's
公示牌, as one small server-rendered HTML page (templates/door.html, its CSS inline): no
websocket, no JavaScript, readable on a phone on the pavement.

Chinese by default, English with ?lang=en (the catalogue data/i18n/en.po, through
portal.i18n.speaking). Any other parameter is ignored: WeChat adds its own to shared links.
Each page is cached (portal.web.atom.FeedCache) keyed on the business, the language, the day
(the "last inspection is old" warning and the year of failed batches move with it) and the
data version, with an ETag, Last-Modified and a short max-age so a proxy can absorb a crowd.
A queue at a popular restaurant shares one carrier address, so the door has its own
per-address window, DOOR_RATE_FACTOR times the API's (PORTAL_API_RATE), not counted in it.
Links are relative to the page, or under PORTAL_PUBLIC_URL when set: never the Host header.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from portal import data_version, feed_paths, i18n, signs
from portal.bootstrap import Portal
from portal.client_window import ClientWindow
from portal.clients import client_address
from portal.config import Settings
from portal.i18n import aside, field, t
from portal.lists.models import BLACK
from portal.lists.queries import business_history
from portal.lists.rules import is_active
from portal.rapid_tests.models import POSITIVE, REVIEW_LABELS, REVIEW_PENDING
from portal.rapid_tests.queries import business_results
from portal.ratings.queries import BusinessRating, business_rating
from portal.ratings import stickers
from portal.ratings.replies import published_reply
from portal.ratings.rules import months_before, rules
from portal.registry.models import Business
from portal.registry.records import staff_of
from portal.sampling.queries import failed_since
from portal.sampling.reviews import label as review_label, reviews_of
from portal.timeutil import local_midnight_utc, local_today
from portal.validation import Message
from portal.web import atom, badges
from portal.web.feeds import cached_response

DOOR_RATE_FACTOR = 5     # the door's per-address window, in multiples of the API's
CACHED_PAGES = 1024      # rendered pages kept per process (each about 6 KB: a few MB in all)
MAX_AGE = 60             # seconds a browser or proxy may reuse a page before asking again
MEDIA_TYPE = "text/html; charset=utf-8"
# The 公示牌 PDFs (about 40 KB each, a build about half a second): a few hundred kept, and at
# most SIGN_BUILDS_PER_MINUTE builds a minute per address (a cached sign costs nothing).
CACHED_SIGNS = 256
SIGN_CACHE_BYTES = 32 * 1024 * 1024
SIGN_BUILDS_PER_MINUTE = 6
# As on the 公示牌: a face, never colour alone. Drawn in SVG (an emoji needs a font the phone
# may lack): the mouth of 大笑 (filled, open), 微笑 and 平脸.
MOUTHS = {"优秀": ("M17 37 Q32 58 47 37 Z", "currentColor"), "良好": ("M19 40 Q32 52 45 40", "none"),
          "一般": ("M20 43 L44 43", "none")}
GRADE_CLASS = {"优秀": "top", "良好": "good", "一般": "fair"}
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")


def business_id(raw: str) -> int | None:
    """The id in a door address, written as the portal writes it (no sign, no leading zero:
    one address per business, so caches and counts see one page)."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or raw.startswith("0"):
        return None
    return int(raw)


def language(request: Request) -> str:
    chosen = request.query_params.get("lang", i18n.DEFAULT)
    return chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT


def _localised(message) -> str:
    """A domain Message in the current language (values here are numbers, never typed text:
    the template escapes everything anyway)."""
    if isinstance(message, Message):
        return t(message.template, **message.values)
    return t(str(message or ""))


def _rating(data: BusinessRating | None) -> dict | None:
    if data is None:
        return None
    rating = data.rating
    seen = {"grade": t(rating.dynamic) if rating.dynamic else t("暂不评级"),
            "grade_class": GRADE_CLASS.get(rating.dynamic, "none"),
            "mouth": MOUTHS.get(rating.dynamic), "face_name": rating.face or "",
            "face_word": t(rating.face) if rating.face else "",
            "dynamic_label": t("动态等级") + (aside(t(rating.face)) if rating.face else ""),
            "reason": "" if rating.dynamic else _localised(rating.no_grade_reason),
            "annual": rating.annual or "—",
            "annual_label": t("年度等级（近 12 个月）") if rating.annual else t("暂无年度等级"),
            "inspected": field("检查日期") + i18n.day(rating.last_inspected_on)
            if rating.last_inspected_on else "",
            "stale": t("最近一次检查已超过 {n} 个月，等级可能已不反映现状。", n=rules()["stale_months"]["value"])
            if rating.stale else "", "kitchen": "", "stream": ""}
    kitchen = data.kitchen
    if kitchen and kitchen.kind != "无":
        seen["kitchen"] = field("明厨亮灶") + t(kitchen.kind)
        if kitchen.stream_url and kitchen.stream_url.startswith("https://"):
            seen["stream"] = kitchen.stream_url
    return seen


def _reply(session, business_id: int) -> dict | None:
    found = published_reply(session, business_id)
    if found is None:
        return None
    return {"title": t("商户对等级的回应"), "day": t("{day}收到，经审核后公开", day=i18n.day(found.received_on)),
            "lines": [line for line in found.text.splitlines() if line.strip()]}


def tel_link(phone: str) -> str:
    """A work phone as a tel: link (RFC 3966), its 转 extension as ;ext=."""
    main, _, extension = phone.partition("转")
    digits = "".join(c for c in main if c.isdigit() or c == "+")
    extension = "".join(c for c in extension if c.isdigit())
    return f"tel:{digits}" + (f";ext={extension}" if extension else "")


def page_context(session, business: Business, lang: str, public_url: str, today: date) -> dict:
    """Everything the template shows, in the current language (inside i18n.speaking)."""
    own = feed_paths.door(business.id)
    english = lang != i18n.DEFAULT

    def link(page: str, **params) -> str:
        query = urlencode({**params, **({"lang": lang} if english else {})})
        return atom.link(public_url, own, page + (f"?{query}" if query else ""))

    rating = _rating(business_rating(session, business, today))
    failed = failed_since(session, business.id, months_before(today, 12))
    reviews = reviews_of(session, [b.id for b in failed])
    listed = [e for e in business_history(session, business.id) if is_active(e.removed_on, e.ends_on, today)]
    lists = [{"black": e.kind == BLACK,
              "text": t("目前在严重违法失信名单（黑榜）上") if e.kind == BLACK else t("目前在红榜上"),
              "since": field("列入日期") + i18n.day(e.listed_on)} for e in listed]
    grade_words = ""
    rapid = _rapid(session, business.id, today)
    if rating:
        grade_words = rating["grade"] + (aside(rating["face_word"]) if rating["face_word"] else "") \
            + (f" · {t('年度等级')} {rating['annual']}" if rating["annual"] != "—" else "")
    return {
        "lang": "en" if english else "zh-CN", "name": business.name, "demo": business.is_demo,
        "address": business.address or "", "rating": rating, "grade_words": grade_words,
        "failed": [{"food": b.food_name, "day": i18n.day(b.announcement_date),
                    "href": link("sampling", batch=str(b.id), scope="all"),
                    "reviews": [t(review_label(r)) + aside(t("{day}申请", day=i18n.day(r.applied_on)) + (
                        "，" + t("{day}作出结论", day=i18n.day(r.decided_on)) if r.decided_on else ""))
                        for r in reviews.get(b.id, [])]} for b in failed],
        "lists": lists, "rapid": rapid, "sticker": None, "reply": _reply(session, business.id),
        "staff": [{"label": field(label), "name": person,
                   "phone": phone, "tel": tel_link(phone)}
                  for label, person, phone in staff_of(business)],
        "links": {"complaint": link("complaint", business=str(business.id)),
                  "business": link("business", id=str(business.id)),
                  "feed": atom.link(public_url, own, feed_paths.business(business.id)),
                  "other": atom.link(public_url, own, own) + ("" if english else "?lang=en"),
                  "og_url": f"{public_url}/{own}" if public_url else ""},
        "words": words(),
    }


RAPID_DAYS = 90


def _rapid(session, business_id: int, today: date) -> dict | None:
    """The market's rapid tests of this stall (or market) in the last 90 days: how many, and the
    positives with their laboratory review. None when there were none (the section is left out)."""
    since = today - timedelta(days=RAPID_DAYS)
    recent = [r for r in business_results(session, business_id) if r.tested_on >= since]
    if not recent:
        return None
    positives = [r for r in recent if r.result == POSITIVE]
    return {"summary": t("近 {days} 天市场快检 {n} 批次，初筛阳性 {p} 批次。", days=RAPID_DAYS,
                         n=len(recent), p=len(positives)),
            "positives": [{"text": f"{r.sample} · {r.item}", "day": i18n.day(r.tested_on),
                           "review": t(REVIEW_LABELS[r.follow_up.review if r.follow_up else REVIEW_PENDING])}
                          for r in positives[:5]]}


def words() -> dict[str, str]:
    """The page's own texts, in the current language."""
    return {
        "title_suffix": t("食品安全信息"), "scheme": t("餐饮服务食品安全量化分级"),
        "not_rated": t("这家单位不属于餐饮服务，不参加量化分级。"),
        "demo": t("演示数据：本页的经营主体、数字和结果由程序随机生成，仅用于演示，"
                  "不是真实的登记、抽检或执法信息。"),
        "demo_short": t("演示数据"),
        "failed_title": t("近一年不合格抽检"), "no_failed": t("近一年已公布的抽检中没有不合格批次。"),
        "rapid_title": t("市场快检"), "rapid_positive": t("初筛阳性"),
        "rapid_notice": t("快检是现场快速筛查（初筛），结果不是法定检验结论。"),
        "staff_title": t("食品安全负责人"), "work_phone": t("工作电话"),
        "lists_title": t("红黑榜"), "not_listed": t("目前不在红黑榜上。"),
        "watch": t("观看后厨直播"), "complain": t("投诉举报"), "full": t("查看完整信息"),
        "feed": t("订阅动态（Atom）"), "other_language": "中文" if i18n.english() else "English",
        "og_description": t("食品安全量化分级、抽检结果和红黑榜，由市场监管部门公布。"),
        "missing_title": t("没有找到这家商户"),
        "missing": t("没有这个编号的商户。公示牌上的二维码可能有误，或这家商户已注销。"),
        "search": t("按名称查询商户"),
    }


def sticker_note(secret_key: str, business_id: int, code: str | None, rating: dict | None,
                 current_grade: str | None) -> dict | None:
    """What the page says about the sign a visitor scanned (?s=): current, outdated or forged.
    None without a code. Its few outcomes (never the code itself) key the page's cache."""
    if code is None:
        return None
    sticker = stickers.read(secret_key, business_id, code)
    if sticker is None:
        return {"kind": "forged", "text": t("这个二维码的校验码不对：公示牌可能是伪造或被改动过的。"
                                            "请以本页显示的等级为准，可以投诉举报。")}
    now = (rating["grade"] if rating else t("暂不评级"))
    if sticker.grade == current_grade:
        return {"kind": "current", "text": t("公示牌上的等级就是当前等级。")}
    printed = t(sticker.grade) if sticker.grade else t("暂不评级")
    when = i18n.month(sticker.printed_on)
    return {"kind": "outdated", "text": t("此公示牌为{when}的等级（{printed}），当前等级为{now}。",
                                           when=when, printed=printed, now=now)}


def door_routes(portal: Callable[[], Portal], settings: Settings, *,
                cache: atom.FeedCache | None = None, sign_cache: atom.FeedCache | None = None,
                sign_builds_per_minute: int = SIGN_BUILDS_PER_MINUTE) -> list[Route]:
    cache = cache if cache is not None else atom.FeedCache(CACHED_PAGES)   # an empty one is falsy
    sign_cache = sign_cache if sign_cache is not None else atom.FeedCache(CACHED_SIGNS, SIGN_CACHE_BYTES)
    requests = ClientWindow(settings.api_requests_per_minute * DOOR_RATE_FACTOR)
    sign_builds = ClientWindow(sign_builds_per_minute)
    public_url = settings.public_url

    def missing(lang: str) -> Response:
        with i18n.speaking(lang):
            body = TEMPLATES.get_template("door_missing.html").render(
                lang="en" if lang != i18n.DEFAULT else "zh-CN", words=words(),
                search=atom.link(public_url, "b/unknown", "business" + ("?lang=en" if lang != i18n.DEFAULT else "")))
        return HTMLResponse(body, status_code=404)

    def client_of(request: Request) -> str:
        return client_address(request.client.host if request.client else None,
                              request.headers, settings.trusted_proxy)

    def too_many(retry_after: int) -> Response:
        return HTMLResponse(f"<!doctype html><meta charset=utf-8><p>请求过于频繁，请 {retry_after} 秒后再试。"
                            f"</p><p>Too many requests; retry in {retry_after} s.</p>",
                            status_code=429, headers={"Retry-After": str(retry_after)})

    def busy() -> Response:
        return HTMLResponse("<!doctype html><meta charset=utf-8><p>服务繁忙，请稍后再试。</p>",
                            status_code=503, headers={"Retry-After": "5"})

    def serve(request: Request, make: Callable[..., tuple[tuple, Callable[[], bytes]]],
              media_type: str, max_age: int, admit: Callable[[], None] = lambda: None,
              store: atom.FeedCache = cache) -> Response:
        """The door routes' one shape: the window, the id, the business, the cached document.
        make(session, business, lang, today) gives the cache key's own part and the builder."""
        lang = language(request)
        verdict = requests.check(client_of(request))
        if not verdict.allowed:
            return too_many(verdict.retry_after)
        ident = business_id(request.path_params["business_id"])
        if ident is None:
            return missing(lang)
        current = portal()
        with current.db.read() as session:
            business = session.get(Business, ident)
            if business is None:
                return missing(lang)
            version, written = data_version.stamp(session)
            today = local_today()
            # A document also changes with the day (the old-inspection warning, the year of
            # failed batches): never older than today's local midnight, so If-Modified-Since
            # alone cannot keep yesterday's.
            midnight = local_midnight_utc(today).replace(tzinfo=timezone.utc)
            last_modified = min(max(written.replace(tzinfo=timezone.utc), midnight) if written else midnight,
                                datetime.now(timezone.utc))
            key, build = make(session, business, lang, today, current)
            try:
                rendered = store.fetch(
                    (*key, ident, lang, today, version), build, last_modified, admit)
            except atom.Busy:
                return busy()
            except _Refused as refused:
                return too_many(refused.retry_after)
        response = cached_response(request, rendered, media_type, max_age)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def door(request: Request) -> Response:
        code = request.query_params.get("s")

        def make(session, business, lang, today, current):
            with i18n.speaking(lang):
                context = page_context(session, business, lang, public_url, today)
                found = business_rating(session, business, today) if code is not None else None
                context["sticker"] = sticker_note(current.settings.secret_key, business.id, code,
                                                  context["rating"], found.rating.dynamic if found else None)
            sticker = context["sticker"]
            key = ("door", public_url, sticker and sticker["text"])

            def build() -> bytes:
                return TEMPLATES.get_template("door.html").render(**context).encode()
            return key, build

        return serve(request, make, MEDIA_TYPE, MAX_AGE)

    def sign_pdf(request: Request) -> Response:
        # The QR code's address: PORTAL_PUBLIC_URL, else the request's own base (documented:
        # behind a proxy set PORTAL_PUBLIC_URL, as a forged Host header would name another site).
        base = public_url or str(request.base_url).rstrip("/")
        client = client_of(request)

        def admit() -> None:
            verdict = sign_builds.check(client)
            if not verdict.allowed:
                raise _Refused(verdict.retry_after)

        def make(session, business, lang, today, current):
            content = signs.contents(session, [business], today, base, current.settings.secret_key)

            def build() -> bytes:
                return signs.render(content, current.profile.bureau)
            return ("sign", base), build

        try:
            response = serve(request, make, signs.MEDIA_TYPE, MAX_AGE, admit, sign_cache)
        except signs.FontMissing:
            return busy()
        if response.status_code == 200:
            response.headers["Content-Disposition"] = f'inline; filename="sign-{request.path_params["business_id"]}.pdf"'
        return response

    def badge_svg(request: Request) -> Response:
        def make(session, business, lang, today, current):
            with i18n.speaking(lang):
                found = business_rating(session, business, today)
                svg = badges.badge(business.name, found.rating if found else None, business.is_demo)
            return ("badge",), svg.encode

        response = serve(request, make, badges.MEDIA_TYPE, MAX_AGE)
        # Opened on its own, the SVG runs nothing and loads nothing.
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return response

    return [Route("/b/{business_id}", door, methods=["GET"]),
            Route("/b/{business_id}/sign.pdf", sign_pdf, methods=["GET"]),
            Route("/b/{business_id}/badge.svg", badge_svg, methods=["GET"])]


class _Refused(Exception):
    """A client's sign builds are over its window."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after


def mounted_door() -> list[Route]:
    """The door routes as streamlit_app.py mounts them: the process's Portal and settings."""
    from portal.config import load_settings
    from portal.runtime import get_portal

    return door_routes(get_portal, load_settings())
