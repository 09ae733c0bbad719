"""page_setup(): the one call at the top of every page."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

import streamlit as st

from portal import cookies, runtime
from portal.accounts import second_factor, sessions
from portal.accounts.actions import actor_for
from portal.accounts.rules import ROLES, Actor
from portal.bootstrap import Portal
from portal.config import Settings, load_settings
from portal.registry.profiles import load_profile
from portal.official_session import HANDOFF_HEADER, official_cookie
from portal import i18n
from portal.i18n import N_, t
from portal.ui import footer, forget_language, nav, remember_language
from portal.ui.page_links import page_link
from portal.ui.widgets import DONE_NOTICE, md

log = logging.getLogger(__name__)
SESSION_ACTOR = "official"
SESSION_ID = "official_session_id"
COOKIE_SCRIPT = "official_cookie_script"
SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
SSO_SESSION = "official_sso_identity"      # the linked identity this tab's session began with
RECOVERY_CODES = "recovery_codes"
SESSION_NOTICE = "official_notice"
HTML_LANG = {"zh": "zh-CN", "en": "en"}
LARGE_PARAM = "large"
SESSION_LARGE = "large_text"
# 大字版: a 20 px base (Streamlit sizes text in rem), black text, darker captions and
# borders, underlined links; one constant, nothing from the visitor reaches it.
LARGE_TEXT_CSS = """<style>
html { font-size: 20px !important; }
.stApp, .stApp p, .stApp li, .stApp label, .stApp td, .stApp th { color: #000 !important; }
.stApp [data-testid="stCaptionContainer"] { opacity: 1 !important; }
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stCaptionContainer"] p {
  color: #1a1a1a !important; }
.stApp [data-testid="stMarkdownContainer"] a, .stApp [data-testid="stCaptionContainer"] a {
  color: #0b3a75 !important; text-decoration: underline !important; }
.stApp [data-testid="stPageLink"] p { color: #0b3a75 !important; font-weight: 600; }
.stApp [data-testid="stVerticalBlockBorderWrapper"], .stApp hr,
.stApp [data-baseweb="input"], .stApp [data-baseweb="select"] > div,
.stApp [data-baseweb="textarea"] { border-color: #333 !important; }
.stApp input::placeholder, .stApp textarea::placeholder { color: #444 !important; }
.stApp :focus-visible { outline: 3px solid #000 !important; outline-offset: 2px; }
</style>"""


@st.cache_resource(show_spinner="正在准备数据库…")
def _cached_portal(key: tuple, _settings: Settings) -> Portal:
    # The process's Portal comes from portal.runtime (shared with the API); this wrapper
    # only shows a spinner while the first visit starts it.
    return runtime.get_portal(_settings)


def get_portal() -> Portal:
    settings = load_settings()
    return _cached_portal(runtime.portal_key(settings), settings)


@dataclass(frozen=True)
class PageContext:
    portal: Portal
    actor: Actor | None

    @property
    def db(self):
        return self.portal.db

    @property
    def profile(self):
        return self.portal.profile

    @property
    def settings(self):
        return self.portal.settings


def current_actor(portal: Portal) -> Actor | None:
    """The signed-in official of this browser: this tab's session, or the one the sign-in
    cookie names (a reload, a new tab, a deep link), after the lifetime, idle and account
    checks (portal.accounts.sessions)."""
    settings = portal.settings
    idle = timedelta(minutes=settings.idle_minutes)
    session_id = st.session_state.get(SESSION_ID)
    if session_id is None:
        token = cookies.read(_request_cookies(), settings.secret_key,
                             official_cookie(settings.session_hours))
        if not token:
            sign_out_locally()
            return None
        with portal.db.write() as session:
            found = sessions.resume(session, settings.secret_key, token, idle)
            actor = actor_for(found.official) if found.official else None
    else:
        with portal.db.write() as session:
            found = sessions.check(session, session_id, idle)
            actor = actor_for(found.official) if found.official else None
    if actor is None:
        sign_out_locally(sessions.ENDED[found.ended].format(idle=settings.idle_minutes,
                                                            hours=settings.session_hours)
                         if found.ended and session_id is not None else None)
        return None
    st.session_state[SESSION_ACTOR] = actor
    st.session_state[SESSION_ID] = found.session_id
    st.session_state[SECOND_FACTOR_ENROLLED] = second_factor.enrolled(found.official)
    st.session_state[SSO_SESSION] = found.identity_id
    return actor


def _request_cookies() -> dict:
    try:
        return dict(st.context.cookies)
    except Exception:      # no browser request behind this run (AppTest)
        return {}


def sign_in_locally(actor: Actor, session_id: int, handoff_code: str) -> None:
    """This tab is signed in; the page's next run hands the browser its cookie."""
    st.session_state[SESSION_ACTOR] = actor
    st.session_state[SESSION_ID] = session_id
    st.session_state[COOKIE_SCRIPT] = ("take", handoff_code)


def sign_out_locally(notice: str | None = None) -> None:
    if st.session_state.pop(SESSION_ACTOR, None) is not None:
        st.session_state[COOKIE_SCRIPT] = ("drop", "")
    st.session_state.pop(SESSION_ID, None)
    st.session_state.pop(SSO_SESSION, None)
    if notice:
        st.session_state[SESSION_NOTICE] = notice


def _cookie_script() -> None:
    """The script that takes or drops the sign-in cookie through the portal's own route
    (a page speaks over a websocket and cannot set a cookie itself). The hand-over code is
    random text the server made; nothing from the visitor reaches the script."""
    pending = st.session_state.pop(COOKIE_SCRIPT, None)
    if not pending:
        return
    what, code = pending
    target = "official-session" if what == "take" else "official-session/end"
    headers = {HANDOFF_HEADER: code} if what == "take" else {}
    with st.sidebar:
        st.html(f"<script>fetch(new URL({json.dumps(target)}, document.baseURI), {{method: 'POST', "
                f"credentials: 'same-origin', headers: {json.dumps(headers)}}});</script>",
                unsafe_allow_javascript=True)


# On a phone the sidebar covers the page, and Streamlit leaves it open after a tap on one of
# its links: the visitor would land on a page hidden behind the menu. Each page closes it
# once when it opens, on narrow screens only (the page's name in the script makes it a new
# element on each page, so the browser runs it again).
CLOSE_SIDEBAR_ON_PHONE = """if (window.parent.matchMedia("(max-width: 640px)").matches) {
  const button = window.parent.document.querySelector(
    '[data-testid="stSidebar"][data-collapsed="false"] [data-testid="stSidebarCollapseButton"] button');
  if (button) { button.click(); }
}"""


def _sidebar(profile, actor: Actor | None, page: str) -> None:
    with st.sidebar:
        _language_switch()
        _large_text_switch()
        st.markdown(f"### {i18n.place(profile.name, profile.name_en)}\n{t('食品安全公开与公众参与门户')}")
        for section in (nav.PUBLIC, nav.OFFICIAL):
            st.caption(t(section))
            for spec in nav.visible_pages(actor):
                if spec.section != section or not spec.sidebar:
                    continue
                label = t(spec.label)
                if spec.always and actor is not None:
                    label = f"我的账号（{md(actor.display_name)}）"     # a label renders markdown
                page_link(spec.path, label=label, icon=spec.icon)
        # The document's language, so that screen readers read Chinese with a Chinese voice
        # (WCAG 3.1.1); Streamlit's page says "en" whatever the content. The script is one of
        # two constants: nothing from the visitor reaches it.
        lang = HTML_LANG.get(i18n.current(), HTML_LANG[i18n.DEFAULT])
        st.html(f"<script>document.documentElement.lang = '{lang}';\n{CLOSE_SIDEBAR_ON_PHONE}\n"
                f"/* {json.dumps(page)} */</script>", unsafe_allow_javascript=True)


def _language_from_url() -> None:
    """?lang=en in a shared link sets the language for this tab."""
    forget_language()       # what an earlier run in this thread read
    wanted = st.query_params.get("lang")
    if wanted in i18n.LANGUAGES and wanted != i18n.current():
        st.session_state[i18n.SESSION_KEY] = wanted
    remember_language()


def _language_switch() -> None:
    current = i18n.current()
    chosen = st.segmented_control("语言 / Language", list(i18n.LANGUAGES), default=current,
                                  format_func=i18n.LANGUAGES.get, label_visibility="collapsed")
    if chosen and chosen != current:
        st.session_state[i18n.SESSION_KEY] = chosen
        remember_language()
        if chosen == i18n.DEFAULT:
            st.query_params.pop("lang", None)
        else:
            st.query_params["lang"] = chosen
        st.rerun()


def _large_text_from_url() -> None:
    """?large=1 in a link turns 大字版 on for this tab (?large=0 off), as ?lang= does."""
    wanted = st.query_params.get(LARGE_PARAM)
    if wanted in ("0", "1"):
        st.session_state[SESSION_LARGE] = wanted == "1"


def large_text() -> bool:
    return bool(st.session_state.get(SESSION_LARGE, False))


def _large_text_switch() -> None:
    """大字版 (适老化): larger text and stronger contrast, kept for the tab and in the URL."""
    current = large_text()
    chosen = st.toggle(t("大字版"), value=current, help=t("放大文字、加深颜色，方便老年人和视力不好的朋友阅读。"))
    if chosen != current:
        st.session_state[SESSION_LARGE] = chosen
        if chosen:
            st.query_params[LARGE_PARAM] = "1"
        else:
            st.query_params.pop(LARGE_PARAM, None)
        st.rerun()
    if chosen:
        st.html(LARGE_TEXT_CSS)


def _page_body():
    """Everything the page draws after page_setup goes into a container placed before the
    footer's, so the footer ends every page, one that stops early included, in the
    document's order (screen readers reach it last). Returns the footer's container.
    The script thread keeps its container stack from a previous run: start from the page."""
    from streamlit.delta_generator_singletons import context_dg_stack, get_default_dg_stack_value

    context_dg_stack.set(get_default_dg_stack_value())
    body, end = st.container(), st.container(key="portal-footer")
    body.__enter__()        # left open on purpose: the rest of the run writes into it
    return end


FRIENDLY_ERROR = N_("抱歉，页面暂时出错了（可能是数据库暂时无法连接）。您填写的内容还在，请稍后重试或刷新页面；"
                  "如果一直出错，请拨打 12315 或联系网站管理员。")


def _friendly_errors(title: str, production: bool) -> None:
    """An uncaught error shows a plain message in Chinese; in production (and with
    client.showErrorDetails none) never a traceback. The error is logged with the page and
    the official, if any, for whoever debugs it."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    run_ctx = get_script_run_ctx()
    if run_ctx is None:
        return

    def handler(exc: Exception) -> bool:
        actor = st.session_state.get(SESSION_ACTOR)
        log.error("page %r failed for %s: %s: %s", title, actor.username if actor else "anonymous",
                  type(exc).__name__, exc, exc_info=exc)
        st.error(t(FRIENDLY_ERROR), icon=":material/error:")
        return production      # True: Streamlit shows no traceback

    run_ctx.on_script_error = handler


def page_setup(title: str, *, role: str | None = None, official: bool = False,
               layout: str = "centered", english: bool = False) -> PageContext:
    """Page config, sidebar, and access control. For an official page (official=True or a
    role), anyone without the right role sees the sign-in form or a refusal, never the page:
    this function stops the script before the page's own code runs."""
    from portal.ui.cached import start_run      # (cached imports this module)

    start_run()
    _language_from_url()
    _large_text_from_url()
    st.set_page_config(page_title=f"{t(title)} · {t('食品安全公开与公众参与门户')}",
                       page_icon=":material/verified_user:", layout=layout)
    settings = load_settings()
    _friendly_errors(title, settings.production)
    footer.draw(_page_body(), settings, load_profile(settings.jurisdiction))
    # Anonymous visitors get the navigation at once, before the (first-start) database set-up;
    # a browser with a sign-in cookie gets it once the cookie's session is checked.
    anonymous = (st.session_state.get(SESSION_ACTOR) is None
                 and official_cookie(settings.session_hours).name not in _request_cookies())
    if anonymous:
        _sidebar(load_profile(settings.jurisdiction), None, title)
    portal = get_portal()
    actor = current_actor(portal)
    ctx = PageContext(portal, actor)
    if actor is None:
        from portal.ui.auth import take_identity

        take_identity(ctx)          # back from single sign-on: may sign in and go on to 我的账号
    if not anonymous:
        _sidebar(ctx.profile, actor, title)
    _cookie_script()
    if i18n.english() and not english:
        st.info("This page is in Chinese only for now. 本页暂只有中文。", icon=":material/translate:")
    notice = st.session_state.pop(SESSION_NOTICE, None)
    if notice:
        st.warning(notice)
    done = st.session_state.pop(DONE_NOTICE, None)
    if done:        # a toast: an element here would shift the page and reset its open tab
        st.toast(done, icon=":material/check_circle:")
    if official or role:
        if actor is None:
            from portal.ui.auth import sign_in_form

            st.title(title)
            st.info("此页面仅供已登录的监管人员使用。请先登录。")
            sign_in_form(ctx)
            st.stop()
        if not actor.may(role):
            st.title(title)
            st.error(f"您的账号没有访问此页面的权限（需要“{ROLES[role]}”角色）。"
                     "如需开通，请联系系统管理员。")
            page_link("streamlit_app.py", label="返回首页", icon=":material/home:")
            st.stop()
        if st.session_state.get("must_change_password"):
            from portal.ui.auth import change_password_form

            st.title(title)
            st.warning("您的密码已由管理员重置，请先设置新密码。")
            change_password_form(ctx)
            st.stop()
        if second_factor_missing(ctx):
            from portal.ui.auth import enrolment_form

            st.title(title)
            st.warning("您的账号需要开启两步验证后才能使用监管工作台（登录时除密码外，还要输入手机验证器应用显示的动态验证码）。")
            enrolment_form(ctx)
            st.stop()
    if ctx.actor is not None:
        _recovery_codes_once()
    return ctx


def second_factor_missing(ctx: PageContext) -> bool:
    """The role needs a second factor and this sign-in has none: no TOTP set up, and no single
    sign-on whose provider the settings trust for it (PORTAL_SSO_SECOND_FACTOR=provider)."""
    by_provider = (st.session_state.get(SSO_SESSION) is not None
                   and ctx.settings.sso_second_factor == "provider")
    return (ctx.actor is not None and not st.session_state.get(SECOND_FACTOR_ENROLLED)
            and not by_provider and second_factor.required(ctx.actor.roles, ctx.settings))


def _recovery_codes_once() -> None:
    codes = st.session_state.pop(RECOVERY_CODES, None)
    if codes:
        st.success("两步验证已开启。请把下面的恢复码抄下或打印，妥善保管：手机遗失时，每个恢复码可代替动态验证码"
                   "使用一次。它们只显示这一次。")
        st.code("\n".join(codes), language=None)
