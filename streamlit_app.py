"""首页, and the server's entry point.

Streamlit runs this file as __main__ for each page run: it hands the run to the router
(portal/ui/router.py: every page made once per process), which runs it again as the home
page when that is the page asked for. `streamlit run` also
imports it (as a module) to find `app`: the st.App that serves the pages and, beside them,
the open-data API under /api/v1, the browser-token route (portal/browser_token.py) and
the officials' sign-in cookie routes (portal/official_session.py), the Atom feeds under
/feeds (portal/web/feeds.py), the door page /b/{id} (portal/web/door.py), the links in notice mails under /notices
(portal/web/notices.py: confirm, manage, one-click unsubscribe), and the middleware that
limits what a session may upload (portal/upload_limits.py).
The guard keeps the page out of that import.
"""
import streamlit as st

if __name__ == "__main__":
    from portal.ui import router

    if router.routing():        # run by the router as the home page
        from portal.ui.home_page import render

        render()
    else:                       # each visit: the router runs the page asked for
        router.run()
else:
    from portal.api.serve import (api_routes, browser_token_route, official_session_routes,
                                  upload_limits_middleware)
    from portal.web.door import mounted_door
    from portal.web.feeds import mounted_feeds
    from portal.web.notices import mounted_notices
    from portal.ui import router

    router.take_over()

    app = st.App(__file__, routes=[*api_routes(), mounted_feeds(), *mounted_door(), *mounted_notices(),
                                   browser_token_route(),
                                   *official_session_routes()],
                 middleware=[upload_limits_middleware()])
