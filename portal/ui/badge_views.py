"""The business page's 公示牌 and badge box (public, in both languages), and the site's own
address for links that leave it (the QR codes, the badge's embed code)."""
from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from portal import feed_paths
from portal.i18n import t


def site_base(ctx) -> str:
    """Where the QR codes point: PORTAL_PUBLIC_URL, else the address this page was opened at."""
    if ctx.settings.public_url:
        return ctx.settings.public_url
    parts = urlsplit(st.context.url or "")
    if not parts.netloc:
        return ""
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}" + (f"/{prefix}" if prefix else "")


def badge_embed(ctx, business_id: int) -> None:
    """On the business page: the printable sign and the badge with the HTML to embed it."""
    with st.expander(t("公示牌和网站徽章"), icon=":material/badge:"):
        st.markdown(f"[{t('下载公示牌（PDF，A5）')}]({feed_paths.sign(business_id)})　"
                    f"[{t('查看徽章')}]({feed_paths.badge(business_id)})")
        st.caption(t("公示牌总是印当前等级；等级变了以后，扫旧公示牌的二维码会看到提示。"
                     "商户可以把下面的代码放到自己的网站或外卖店铺页面上，显示当前等级。"))
        base = site_base(ctx)
        door, badge = (f"{base}/{path}" for path in (feed_paths.door(business_id), feed_paths.badge(business_id)))
        st.code(f'<a href="{door}"><img src="{badge}" alt="{t("食品安全等级")}" height="62"></a>',
                language="html")
