"""This browser's token (portal.browser_token) on a page, for limits per browser.

How the token gets into the page, and why this way:
- A page reads cookies only from `st.context.cookies`, which holds what the browser sent
  when this Streamlit session began. A cookie set later does not appear in the session.
- A browser without a valid token is given one by `POST /browser-token` (the route sets the
  signed HttpOnly cookie; it takes no input and writes nothing). The page emits a small
  script (`st.html`) that calls the route and then reloads the page once, marked with
  `?browser_token=1`. The new session starts with the cookie, and the page goes on with it.
- So the only token a page ever uses is one the browser has demonstrably sent back. A token
  proposed inside the old session (and kept in session_state) might never have been stored
  by the browser: answers recorded under it would not stop the next visit after a reload.
  The reload happens before anything is typed: the page shows nothing to fill in until the
  token is there.
- If the marked reload still brings no valid cookie, the browser keeps no cookies (or
  refuses them for this site): `browser_token` returns None and the page falls back to
  phone verification. A visitor who adds the marker by hand only makes that happen.
- The page may draw what needs no token (an introduction, published results) before it
  calls `request_token`.
"""
from __future__ import annotations

import streamlit as st

from portal.browser_token import PATH, token, token_hash
from portal.i18n import t

MARKER = "browser_token"          # the query parameter of the one reload
BLOCKED = "browser_token_blocked"

SCRIPT = """<script>
(async () => {
  const url = new URL(window.location.href);
  if (url.searchParams.has("%(marker)s")) return;          // one attempt per page load
  try {
    await fetch("%(path)s", {method: "POST", credentials: "same-origin", cache: "no-store"});
  } catch (error) { /* the page says so after the reload: no cookie came back */ }
  url.searchParams.set("%(marker)s", "1");
  window.location.replace(url.href);
})();
</script>""" % {"marker": MARKER, "path": PATH}


def request_cookies():
    """The cookies the browser sent when this session began (tests replace this)."""
    return st.context.cookies


def browser_hash(ctx) -> str | None:
    """The keyed hash of this browser's valid token, or None: not given one yet (then call
    `request_token`), or the browser keeps no cookies (`cookies_blocked`)."""
    value = token(request_cookies(), ctx.settings.secret_key)
    if st.query_params.get(MARKER) is not None:
        st.query_params.pop(MARKER)         # keep shared links clean
        if value is None:
            st.session_state[BLOCKED] = True
    return token_hash(ctx.settings.secret_key, value) if value is not None else None


def cookies_blocked() -> bool:
    """The browser came back from the token reload without the cookie."""
    return bool(st.session_state.get(BLOCKED))


def request_token() -> None:
    """Have the browser fetch its token and reload once; stops the page meanwhile."""
    st.html(SCRIPT, unsafe_allow_javascript=True)
    st.caption(t("请稍候……"))
    st.stop()
