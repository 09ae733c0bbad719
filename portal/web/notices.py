"""The links in notice mails, as small server-rendered pages (no JavaScript, no Streamlit):

  /notices/confirm?t=...      GET: what is being followed and a 确认 button; POST: confirm
  /n/<token>                  GET: the short manage link of an SMS; 303 to /notices/manage
  /notices/manage?t=...       GET: what this address follows, each with 即时 / 每日汇总 and
                              取消关注, and 退订; POST do=unfollow&follow=ID,
                              do=cadence&follow=ID&cadence=immediate|daily, or do=unsubscribe
  /notices/unsubscribe?t=...  GET: a 退订 button; POST: erase the address and its follows.
                              This is also the List-Unsubscribe URL of every mail: a mail
                              program's one-click POST (RFC 8058, body
                              List-Unsubscribe=One-Click) lands here.
  /notices/follow-up?t=...    GET: "问题解决了吗？" with 已解决 / 部分解决 / 没有解决 and a box for
                              words; POST: the answer (portal.complaints.follow_up.answer).
                              The link works once: answered, it is a 404. Chinese, or
                              English with &lang=en (portal.i18n.speaking).

GETs change nothing (mail scanners open links); every change is a POST to the same signed
address. The token (portal.notices.links) is the only authority: it names one follow or
one contact and is signed with the portal's secret key. Answers never show the address.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from portal import i18n
from portal.bootstrap import Portal
from portal.complaints import follow_up as follow_ups
from portal.complaints.models import FOLLOW_UP_LABELS, UNRESOLVED, Complaint
from portal.i18n import t
from portal.client_window import ClientWindow
from portal.clients import client_address
from portal.config import Settings
from portal.notices import follows, links, voters
from portal.notices.messages import follow_label
from portal.notices.models import COMPLAINT, PENDING, SMS, Follow, NoticeContact
from portal.validation import InputError, Message

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
REQUESTS_PER_MINUTE = 30
HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
IMMEDIATE_WORDS = "一有新的不合格抽检结果，我们就发邮件告诉您（即时）。"
DIGEST_WORDS = "新的不合格抽检结果每天汇总成一封邮件发给您（每日汇总）。"
CHANGE_WORDS = "以后可以在每封邮件末尾的“管理我的关注”中改为“即时”或“每日汇总”。"
DEAD = ("链接已失效", ["这个链接无效或已经用过：可能已经退订，或者链接不完整。",
                      "如需重新关注，请在网站的商户页面再次申请。"])


def _page(title: str, lines: list[str], *, action: str = "", button: dict | None = None,
          follows_list: list[dict] | None = None, status: int = 200, home: str = "") -> Response:
    body = TEMPLATES.get_template("notices.html").render(
        title=title, lines=lines, action=action, button=button, follows=follows_list or [], home=home)
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def _words(contact: NoticeContact) -> tuple[str, str, str]:
    """What the pages call the contact, its address, and its messages."""
    return ("手机号", "手机号", "短信") if contact.channel == SMS else ("邮箱", "邮箱地址", "邮件")


VOTER_BRINGS = "确认后，抽检计划确定时和这些食品的抽检结果公布时，我们各发一封邮件告诉您。"


def _confirm_label(session, follow: Follow) -> str:
    """What a confirmation link confirms: one follow, or a voter's candidates of one round."""
    if follow.topic == voters.CANDIDATE:
        return "、".join(follow_label(session, f.topic, f.subject) for f in voters.together(session, follow)
                        if f.status == follow.status)
    return follow_label(session, follow.topic, follow.subject)


def notice_routes(portal: Callable[[], Portal], settings: Settings) -> list[Route]:
    window = ClientWindow(REQUESTS_PER_MINUTE)
    home = (settings.public_url or "") + "/"

    def limited(request: Request) -> Response | None:
        client = client_address(request.client.host if request.client else None, request.headers,
                                settings.trusted_proxy)
        verdict = window.check(client)
        if verdict.allowed:
            return None
        return HTMLResponse("<!doctype html><meta charset=utf-8><p>请求过于频繁，请稍后再试。</p>",
                            status_code=429, headers={"Retry-After": str(verdict.retry_after)})

    def token(request: Request) -> str:
        return request.query_params.get("t", "")[:64]

    def dead() -> Response:
        return _page(*DEAD, status=404, home=home)

    async def confirm(request: Request) -> Response:
        if (refused := limited(request)) is not None:
            return refused
        raw, secret = token(request), settings.secret_key
        action = f"?t={raw}"
        db = portal().db
        if request.method == "GET":
            with db.read() as session:
                follow_id = links.token_id(raw)
                follow = session.get(Follow, follow_id) if follow_id else None
                contact = session.get(NoticeContact, follow.contact_id) if follow else None
                if contact is None or not links.valid(secret, links.CONFIRM, raw, contact.link_key):
                    return dead()
                label = _confirm_label(session, follow)
                if follow.status != PENDING:
                    return _page("已经关注", [f"您已关注“{label}”。"], home=home)
                if follow.topic == voters.CANDIDATE:
                    lines = [f"请确认关注“{label}”。{VOTER_BRINGS}"]
                else:
                    when = DIGEST_WORDS if follow.digest else IMMEDIATE_WORDS
                    lines = [f"请确认关注“{label}”。确认后，{when}", CHANGE_WORDS]
            return _page("确认关注", lines,
                         action=action, button={"value": "confirm", "text": "确认关注"}, home=home)
        with db.write() as session:
            follow = follows.confirm(session, secret, raw)
            if follow is None:
                return dead()
            label = _confirm_label(session, follow)
        return _page("已确认关注", [f"您已关注“{label}”。每封通知邮件的末尾都有“管理我的关注”和“退订”的链接。"],
                     home=home)

    async def manage(request: Request) -> Response:
        if (refused := limited(request)) is not None:
            return refused
        raw, secret = token(request), settings.secret_key
        db = portal().db
        if request.method == "POST":
            form = await request.form()
            with db.write() as session:
                contact = follows.contact_of(session, secret, links.MANAGE, raw)
                if contact is None:
                    return dead()
                _, address, message = _words(contact)
                if form.get("do") == "unsubscribe":
                    follows.unsubscribe(session, contact)
                    return _page("已退订", [f"您的{address}和所有关注都已删除，我们不会再给您发{message}。"], home=home)
                follow_id = str(form.get("follow", ""))
                if form.get("do") == "cadence" and follow_id.isdigit() and len(follow_id) <= 12:
                    try:
                        follows.set_cadence(session, contact, int(follow_id), str(form.get("cadence", ""))[:20])
                    except InputError:
                        pass        # only a forged form sends another value: the page shows what is
                elif follow_id.isdigit() and len(follow_id) <= 12:
                    follows.unfollow(session, contact, int(follow_id))
                    if follows.contact_of(session, secret, links.MANAGE, raw) is None:
                        return _page("已退订", [f"您已不再关注任何内容，您的{address}已删除。"], home=home)
        with db.read() as session:
            contact = follows.contact_of(session, secret, links.MANAGE, raw)
            if contact is None:
                return dead()
            rows = [{"id": f.id, "label": follow_label(session, f.topic, f.subject), "pending": f.status == PENDING,
                     "cadence": ((follows.DAILY if f.digest else follows.IMMEDIATE)
                                 if f.topic != COMPLAINT and contact.channel != SMS else None)}
                    for f in follows.follows_of(session, contact)]
            kind, address, _ = _words(contact)
        lines = [f"您用这个{kind}关注了以下内容。取消最后一项后，您的{address}也会被删除。"]
        if contact.channel != SMS:      # SMS notices go out at once (no digest by SMS)
            lines.append("每一项都可以选择“即时”（一有消息就发邮件）或“每日汇总”"
                         f"（每天北京时间 {settings.digest_hour} 点把前一天的消息汇成一封邮件）。")
        return _page("管理我的关注", lines,
                     action=f"?t={raw}", follows_list=rows,
                     button={"value": "unsubscribe", "text": f"全部退订并删除我的{address}"}, home=home)

    async def short_manage(request: Request) -> Response:
        """The manage link of an SMS (/n/<token>, short): the same page, at its usual address."""
        if (refused := limited(request)) is not None:
            return refused
        raw = request.path_params["token"][:64]
        if links.token_id(raw) is None or not all(c in "0123456789abcdef" for c in raw.partition(".")[2]):
            return dead()
        return RedirectResponse(f"{settings.public_url or ''}/notices/manage?t={raw}", status_code=303,
                                headers=HEADERS)

    async def unsubscribe(request: Request) -> Response:
        if (refused := limited(request)) is not None:
            return refused
        raw, secret = token(request), settings.secret_key
        db = portal().db
        if request.method == "GET":
            with db.read() as session:
                if follows.contact_of(session, secret, links.UNSUBSCRIBE, raw) is None:
                    return _page("已退订", ["这个邮箱已经退订，或链接无效。我们不会再给它发邮件。"], home=home)
            return _page("退订", ["退订后，我们不再给您发任何邮件，并删除您的邮箱地址和所有关注。"],
                         action=f"?t={raw}", button={"value": "unsubscribe", "text": "确认退订"}, home=home)
        with db.write() as session:
            contact = follows.contact_of(session, secret, links.UNSUBSCRIBE, raw)
            if contact is not None:
                follows.unsubscribe(session, contact)
        # The same answer for a link already used: a one-click client may POST twice.
        return _page("已退订", ["您的邮箱地址和所有关注都已删除，我们不会再给您发邮件。"], home=home)

    def follow_up_page(lang: str, raw: str, case: Complaint | None, *, answer: str = "", text: str = "",
                       errors: list[str] | None = None, done: str = "", status: int = 200) -> Response:
        english = lang != i18n.DEFAULT
        query = f"?t={raw}" + ("&lang=en" if english else "")
        if done:
            lines = [t("谢谢您的回答。")]
            lines.append(t("您回答问题没有解决：案件已重新交给办理人员，并从今天起重新计算办理期限。"
                           "凭查询编号和查询码可以在进度查询页面查看进展。") if done == UNRESOLVED
                         else t("您的回答已记录，会计入公开的办理统计（只统计件数，不公开您的文字）。"))
            title, form = t("已收到您的回答"), None
        elif case is None:
            title, lines, form = t("链接已失效"), [t("这个链接无效或已经用过：每份回访问卷只能回答一次。")], None
        else:
            title = t("问题解决了吗？")
            lines = [t("您的投诉举报（查询编号 {no}）已于 {day}办结。过去四周，您反映的问题解决了吗？",
                       no=case.tracking_no, day=i18n.day(case.finished_on)),
                     t("如果没有解决，案件会重新交给办理人员，并重新计算办理期限。")]
            form = {"question": t("问题解决了吗？"), "submit": t("提交回答"),
                    "choices": [{"value": code, "text": t(label), "checked": code == answer}
                                for code, label in FOLLOW_UP_LABELS.items()],
                    "text_label": t("还想说的话（选填，最多 1000 字）"), "text": text,
                    "text_help": t("请不要写身份证号或手机号：写了也会被隐去。")}
        other = {"href": f"?t={raw}" + ("" if english else "&lang=en"), "lang": "zh-CN" if english else "en",
                 "text": "简体中文" if english else "English"} if form else None
        body = TEMPLATES.get_template("follow_up.html").render(
            lang="en" if english else "zh-CN", title=title, lines=lines, errors=errors or [], form=form,
            action=query, other_language=other, home=home, home_text=t("返回网站首页"))
        return HTMLResponse(body, status_code=status, headers=HEADERS)

    async def follow_up(request: Request) -> Response:
        if (refused := limited(request)) is not None:
            return refused
        raw, secret = token(request), settings.secret_key
        lang = "en" if request.query_params.get("lang") == "en" else i18n.DEFAULT
        db = portal().db
        with i18n.speaking(lang):
            if request.method == "GET":
                with db.read() as session:
                    found = follow_ups.open_link(session, secret, raw)
                    case = session.get(Complaint, found.complaint_id) if found else None
                    if case is None:
                        return follow_up_page(lang, raw, None, status=404)
                    return follow_up_page(lang, raw, case)
            form = await request.form()
            data = {"answer": str(form.get("answer", ""))[:20], "text": str(form.get("text", ""))[:4000]}
            try:
                with db.write() as session:
                    found = follow_ups.open_link(session, secret, raw, lock=True)
                    if found is None:
                        return follow_up_page(lang, raw, None, status=404)
                    follow_ups.answer(session, found, data)
            except InputError as exc:
                with db.read() as session:
                    found = follow_ups.open_link(session, secret, raw)
                    case = session.get(Complaint, found.complaint_id) if found else None
                    if case is None:
                        return follow_up_page(lang, raw, None, status=404)
                    errors = [t(m.template, **m.values) if isinstance(m, Message) else t(str(m))
                              for m in exc.errors.values()]
                    return follow_up_page(lang, raw, case, answer=data["answer"], text=data["text"],
                                          errors=errors, status=400)
            return follow_up_page(lang, raw, None, done=data["answer"])

    return [Route("/n/{token}", short_manage, methods=["GET"]),
            Route("/notices/confirm", confirm, methods=["GET", "POST"]),
            Route("/notices/follow-up", follow_up, methods=["GET", "POST"]),
            Route("/notices/manage", manage, methods=["GET", "POST"]),
            Route("/notices/unsubscribe", unsubscribe, methods=["GET", "POST"])]


def mounted_notices() -> list[Route]:
    """The routes as streamlit_app.py mounts them: the process's Portal and settings."""
    from portal.config import load_settings
    from portal.runtime import get_portal

    return notice_routes(get_portal, load_settings())
