"""关于本站 › 通知与订阅: which notices this deployment sends. Public pages offer e-mail only
where PORTAL_SMTP_URL is set and say nothing about mail otherwise (a form that cannot send
would only disappoint); this is the one place that tells a citizen what there is, and the
Atom feeds that need no address at all."""
from __future__ import annotations

import streamlit as st

from portal import feed_paths
from portal.i18n import N_, t

# What e-mail brings, and where a citizen asks for it (in the order the pages come).
MAIL_OFFERS = (
    N_("关注一家商户、一个区县、一类食品或所有不合格抽检：有新的不合格抽检结果时发邮件（在商户页面、“抽检结果”页面和提交投诉举报之后申请）；"),
    N_("投诉举报：提交时留下邮箱，收到查询编号和查询码，办理状态每有变化都发邮件，办结四周后回访“问题解决了吗？”，忘记查询码时可以找回；"),
    N_("你点我检：投票之后留下邮箱，抽检计划确定时和您投票的食品抽检结果公布时各发一封邮件（写明合格或不合格项目）。"),
)
FEEDS = ((feed_paths.SAMPLING, N_("新公布的抽检结果（可按不合格、区县、类别筛选）")),
         (feed_paths.LISTS, N_("红黑榜的变化")),
         (feed_paths.ROUNDS, N_("“你点我检”各期的进展")))


def notices_offered(ctx) -> None:
    with st.expander(t("通知与订阅")):
        if ctx.settings.smtp_url:
            st.markdown(t("本站可以用电子邮件通知您（每封邮件都有一键退订链接）：") + "\n"
                        + "\n".join("- " + t(offer) for offer in MAIL_OFFERS))
            st.caption(t("每个邮箱先收到一封确认邮件，打开其中的链接后才开始通知。"))
        else:
            st.markdown(t("本站目前不发送邮件通知，页面上也就没有订阅邮件的选项；投诉举报的进度请凭查询编号和查询码在“进度查询”中查看。"))
        st.markdown(t("不留任何联系方式也可以订阅：用 RSS 阅读器订阅以下 Atom 源（商户页面还有该商户自己的订阅源）：") + "\n"
                    + "\n".join(f"- [{path}]({path}) — {t(what)}" for path, what in FEEDS))
