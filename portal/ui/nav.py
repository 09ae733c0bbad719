"""Every page of the portal, in sidebar order. A page is listed only when it works."""
from __future__ import annotations

from dataclasses import dataclass

from portal.i18n import N_

PUBLIC = N_("公众服务")
OFFICIAL = N_("监管工作台")


@dataclass(frozen=True)
class PageSpec:
    path: str                 # file path relative to the project root
    label: str
    icon: str
    section: str
    role: str | None = None   # None: anyone (public) / any signed-in official (OFFICIAL)
    always: bool = False      # shown in its section even when signed out (登录)
    blurb: str = ""           # one line for the home page's list of services
    sidebar: bool = True      # False: reached from the footer only (网站地图)


PAGES = [
    PageSpec("streamlit_app.py", N_("首页"), ":material/home:", PUBLIC),
    PageSpec("pages/sampling.py", N_("抽检结果"), ":material/science:", PUBLIC,
             blurb=N_("查询食品安全监督抽检结果，了解不合格食品的原因和处置情况。")),
    PageSpec("pages/rapid_tests.py", N_("快检公示"), ":material/biotech:", PUBLIC,
             blurb=N_("农贸市场每天的食用农产品快速检测结果，初筛阳性的后续处置，各市场历月合格率。")),
    PageSpec("pages/business.py", N_("商户查询"), ":material/storefront:", PUBLIC,
             blurb=N_("查一家商店、餐馆、食堂或食品企业的登记信息和抽检记录。")),
    PageSpec("pages/map.py", N_("餐饮地图"), ":material/map:", PUBLIC,
             blurb=N_("在地图上找附近的餐馆和食堂，看它们的量化分级等级。")),
    PageSpec("pages/lists.py", N_("红黑榜"), ":material/military_tech:", PUBLIC,
             blurb=N_("严重违法失信名单（黑榜）和诚信经营单位（红榜），附列入原因和移出日期。")),
    PageSpec("pages/rounds.py", N_("你点我检"), ":material/how_to_vote:", PUBLIC,
             blurb=N_("您最想让我们抽检哪种食品？提出建议、投票，并看到抽检结果。")),
    PageSpec("pages/test_rooms.py", N_("快检室"), ":material/biotech:", PUBLIC,
             blurb=N_("买回的菜、肉不放心？预约附近的快检室免费检测，凭预约码查看结果。")),
    PageSpec("pages/complaint.py", N_("投诉举报"), ":material/campaign:", PUBLIC,
             blurb=N_("遇到过期变质、异物、卫生差或无证经营？在手机上两分钟告诉我们。")),
    PageSpec("pages/complaint_track.py", N_("进度查询"), ":material/manage_search:", PUBLIC,
             blurb=N_("用查询编号和查询码查看投诉举报的办理进度、答复，并评价办理情况。")),
    PageSpec("pages/complaint_stats.py", N_("投诉举报办理公开"), ":material/monitoring:", PUBLIC,
             blurb=N_("收到多少、办结多少、是否按期、群众是否满意，以及已办结的案件。")),
    PageSpec("pages/survey.py", N_("满意度调查"), ":material/sentiment_satisfied:", PUBLIC,
             blurb=N_("花 3 分钟告诉我们您对本市食品安全的感受，并查看目前的满意度得分。")),
    PageSpec("pages/about.py", N_("关于本站与数据说明"), ":material/info:", PUBLIC,
             blurb=N_("本站公开哪些信息、数据从哪里来、如何保护您的个人信息。")),
    PageSpec("pages/sitemap.py", N_("网站地图"), ":material/account_tree:", PUBLIC, sidebar=False),
    PageSpec("pages/login.py", N_("登录"), ":material/login:", OFFICIAL, always=True),
    PageSpec("pages/overview.py", N_("监管总览"), ":material/dashboard:", OFFICIAL),
    PageSpec("pages/complaint_queue.py", N_("投诉举报办理"), ":material/support_agent:", OFFICIAL,
             "handler"),
    PageSpec("pages/sampling_import.py", N_("导入抽检公告"), ":material/upload_file:", OFFICIAL,
             "publisher"),
    PageSpec("pages/rapid_tests_import.py", N_("导入快检结果"), ":material/upload_file:", OFFICIAL,
             "publisher"),
    PageSpec("pages/sampling_disposal.py", N_("核查处置"), ":material/fact_check:", OFFICIAL,
             "publisher"),
    PageSpec("pages/rounds_admin.py", N_("你点我检管理"), ":material/ballot:", OFFICIAL, "publisher"),
    PageSpec("pages/test_rooms_admin.py", N_("快检室管理"), ":material/biotech:", OFFICIAL,
             "publisher"),
    PageSpec("pages/test_room_results.py", N_("快检登记"), ":material/labs:", OFFICIAL, "tester"),
    PageSpec("pages/registry_import.py", N_("导入登记与评级"), ":material/domain_add:", OFFICIAL,
             "publisher"),
    PageSpec("pages/registry_edit.py", N_("登记检查与名单"), ":material/edit_note:", OFFICIAL,
             "publisher"),
    PageSpec("pages/signs_print.py", N_("公示牌打印"), ":material/qr_code_2:", OFFICIAL, "publisher"),
    PageSpec("pages/survey_dashboard.py", N_("满意度统计"), ":material/insights:", OFFICIAL, "analyst"),
    PageSpec("pages/accounts.py", N_("账号管理"), ":material/manage_accounts:", OFFICIAL, "admin"),
    PageSpec("pages/complaint_rules.py", N_("办理时限与节假日"), ":material/event:", OFFICIAL, "admin"),
    PageSpec("pages/complaint_templates.py", N_("答复模板"), ":material/article:", OFFICIAL, "admin"),
    PageSpec("pages/audit_log.py", N_("审计日志"), ":material/history:", OFFICIAL, "admin"),
]


def visible_pages(actor) -> list[PageSpec]:
    """Public pages for all; official pages for officials whose roles allow them."""
    shown = []
    for page in PAGES:
        if page.section == PUBLIC or page.always:
            shown.append(page)
        elif actor is not None and actor.may(page.role):
            shown.append(page)
    return shown


def page(path: str) -> PageSpec:
    return next(p for p in PAGES if p.path == path)
