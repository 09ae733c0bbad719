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
    """The keyed hash of this browser's valid token; None if the browser keeps no cookies.
    While the browser is being given its token, this stops the page (see the module note)."""
    value = token(request_cookies(), ctx.settings.secret_key)
    if st.query_params.get(MARKER) is not None:
        st.query_params.pop(MARKER)         # keep shared links clean
        if value is None:
            st.session_state[BLOCKED] = True
    if value is not None:
        return token_hash(ctx.settings.secret_key, value)
    if st.session_state.get(BLOCKED):
        return None
    st.html(SCRIPT, unsafe_allow_javascript=True)
    st.caption(t("请稍候……"))
    st.stop()
