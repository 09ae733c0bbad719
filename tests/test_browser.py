"""Real browser: Debian's Chromium driven by Playwright against a running portal."""
import urllib.request
from pathlib import Path

from helpers.browser import (browser, choose, file_complaint, open_page, server,  # noqa: F401  (module fixtures; skips without Chromium)
                             sign_in, tap_menu, verify_phone, wait_until_drawn)


def _sidebar(page) -> str:
    return page.inner_text('[data-testid="stSidebar"]')


def test_home_page_shows_both_sections_and_the_city(server, browser):
    page = open_page(browser, server[0] + "/")
    page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    sidebar = _sidebar(page)
    assert "公众服务" in sidebar and "监管工作台" in sidebar and "登录" in sidebar
    assert "账号管理" not in sidebar
    assert "张家界市食品安全" in page.inner_text("h1")
    assert "演示数据" in page.inner_text("main")
    assert page.title().startswith("首页")
    assert not page.query_selector('[data-testid="stException"]')


def test_the_running_portal_serves_the_open_data_api_beside_its_pages(server, browser):
    """`streamlit run` finds the st.App in streamlit_app.py: pages and /api/v1 on one port."""
    import json

    base, _ = server
    with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=30) as response:
        spec = json.load(response)
    assert "/requests" in spec["paths"] and spec["servers"] == [{"url": "/api/v1"}]
    with urllib.request.urlopen(base + "/api/v1/sampling?limit=3", timeout=30) as response:
        body = json.load(response)
        assert response.headers["Last-Modified"] and response.headers["X-RateLimit-Limit"]
    assert len(body["data"]) == 3 and body["meta"]["demo"] is True
    try:
        urllib.request.urlopen(base + "/api/v1/sampling?limit=0", timeout=30)
        raise AssertionError("limit=0 was accepted")
    except urllib.error.HTTPError as refused:
        assert refused.code == 422 and json.load(refused)["error"]["problems"][0]["parameter"] == "limit"
    # The pages still draw, with the health check and static files served as before.
    page = open_page(browser, base + "/sampling")
    assert "抽检结果" in page.inner_text("body")
    with urllib.request.urlopen(base + "/app/static/README.md", timeout=30) as js:
        assert js.status == 200
    page.close()


def test_deep_link_in_a_fresh_browser_shows_the_page_and_sidebar(server, browser):
    page = open_page(browser, server[0] + "/about")
    page.get_by_role("heading", name="关于本站与数据说明").wait_for(timeout=60_000)
    assert page.title().startswith("关于本站与数据说明")
    sidebar = _sidebar(page)
    assert "公众服务" in sidebar and "监管工作台" in sidebar


def test_official_page_deep_link_asks_to_sign_in_then_works(server, browser):
    base, tmp = server
    page = open_page(browser, base + "/accounts", width=390)
    page.get_by_text("请先登录").wait_for(timeout=60_000)
    assert "demo_handler" not in page.inner_text("main")
    sign_in(page, tmp, "demo_admin")
    page.get_by_role("tab", name="新建账号").wait_for(timeout=60_000)
    assert "账号管理" in _sidebar(page)


def test_publisher_uploads_an_announcement_and_citizens_find_it(server, browser):
    base, tmp = server
    from conftest import SHARED

    page = open_page(browser, base + "/sampling_import")
    sign_in(page, tmp, "demo_publisher")
    page.get_by_text("请先选择文件").wait_for(timeout=60_000)
    source = SHARED / "data/real/sampling/foodmate_2022_frozen_unqualified_YEJC1992.csv"
    page.locator('input[type="file"]').set_input_files(str(source))
    page.get_by_text("35 个批次不能确认是在张家界市抽样的", exact=False).wait_for(timeout=60_000)
    page.get_by_text("作为外地批次发布（本局不承担核查处置）").click()
    page.get_by_role("button", name="确认发布（新增 35，更正 0）").click(timeout=60_000)
    page.get_by_text("已发布：新增 35 批次").wait_for(timeout=60_000)

    citizen = open_page(browser, base + "/sampling?scope=all&q=%E8%80%81%E5%BC%8F%E9%9B%AA%E7%B3%95")
    citizen.get_by_text("共找到").wait_for(timeout=60_000)
    assert "老式雪糕" in citizen.inner_text("main")
    assert not citizen.query_selector('[data-testid="stException"]')


def test_map_draws_clusters_offline_within_five_seconds(server, browser):
    """No route to any tile or CDN server here: Leaflet must come from the portal itself."""
    import time as clock

    page = open_page(browser, server[0] + "/map")
    page.get_by_text("地图上共").wait_for(timeout=60_000)
    start = clock.monotonic()
    found = 0
    while clock.monotonic() - start < 5 and not found:
        for frame in page.frames:
            try:
                found = max(found, len(frame.query_selector_all(".marker-cluster")))
            except Exception:  # noqa: BLE001 - frames come and go while the map loads
                pass
        page.wait_for_timeout(200)
    assert found > 0, "no marker clusters drawn within 5 s"
    # A pin opens with the business's name, loaded from the open-data API on demand.
    frame = next(f for f in page.frames if f.query_selector(".marker-cluster"))
    frame.evaluate("""() => {
        const name = Object.keys(window).find(k => k.startsWith("fetched_points_"));
        const group = window[name];
        const pin = group.getLayers()[0];
        group.zoomToShowLayer(pin, () => pin.openPopup());
    }""")
    frame.wait_for_function(
        "() => { const s = document.querySelector('.leaflet-popup-content strong');"
        " return s && s.textContent.length > 1; }", timeout=30_000)
    assert "/business?id=" in frame.query_selector(".leaflet-popup-content a").get_attribute("href")


def test_the_map_says_so_when_its_points_cannot_be_loaded(server, browser):
    """The points come after the map (/api/v1/map-points): while they load the map says so,
    and when they cannot be loaded (here the network refuses, twice) it says what to do."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    fetches = []

    def refuse(route):
        fetches.append(route.request.url)
        route.abort()

    page.route("**/api/v1/map-points**", refuse)
    page.goto(server[0] + "/map")
    page.get_by_text("地图上共").wait_for(timeout=60_000)
    frame = None
    for _attempt in range(60):
        frame = next((f for f in page.frames if f.query_selector(".fs-status")), None)
        if frame:
            break
        page.wait_for_timeout(500)
    assert frame is not None, "no loading line on the map"
    frame.wait_for_function("() => document.querySelector('.fs-status').textContent.includes('刷新页面')",
                            timeout=30_000)
    assert frame.get_by_role("status").inner_text() == "地图上的单位没有加载出来，请刷新页面再试。"
    assert len(fetches) == 2 and not frame.query_selector(".marker-cluster")
    assert "crs=wgs84" in fetches[0] and fetches[0].startswith(server[0] + "/api/v1/map-points?")
    # Once the points arrive, the line goes.
    page.unroute("**/api/v1/map-points**")
    page.reload()
    page.get_by_text("地图上共").wait_for(timeout=60_000)
    for _attempt in range(60):
        frame = next((f for f in page.frames if f.query_selector(".marker-cluster")), None)
        if frame:
            break
        page.wait_for_timeout(500)
    assert frame is not None and not frame.query_selector(".fs-status")
    context.close()


def test_publisher_imports_the_registry_through_the_page(server, browser, tmp_path):
    base, tmp = server
    registry = tmp_path / "registry.csv"
    registry.write_text("市场主体名称,统一社会信用代码,主体业态,经营场所,所属区县\n"
                        "张家界市浏览器测试饭店,9144030071526726XG,餐馆,永定区人民路1号,永定区\n"
                        "坏代码店,9144030071526726XH,餐馆,永定区某路,永定区\n", encoding="utf-8")
    page = open_page(browser, base + "/registry_import")
    sign_in(page, tmp, "demo_publisher")
    page.get_by_text("请先选择文件").wait_for(timeout=60_000)
    page.locator('input[type="file"]').set_input_files(str(registry))
    page.get_by_text("有问题的行").wait_for(timeout=60_000)  # the table itself is a canvas
    page.get_by_role("button", name="确认导入（新增 1，更正 0）").click()
    page.get_by_text("已导入：新增 1").wait_for(timeout=60_000)
    citizen = open_page(browser, base + "/business?q=%E6%B5%8F%E8%A7%88%E5%99%A8")
    citizen.get_by_text("共找到").wait_for(timeout=60_000)
    assert "张家界市浏览器测试饭店" in citizen.inner_text("main")


def _business_id(tmp) -> int:
    import sqlite3

    with sqlite3.connect(tmp / "portal.sqlite3") as conn:
        return conn.execute("SELECT id FROM businesses ORDER BY id LIMIT 1").fetchone()[0]


def test_complaint_journey_on_a_phone(server, browser):
    """File on a 390 px phone -> track -> a handler accepts and closes -> the citizen sees
    the reply and rates it."""
    base, tmp = server
    open_page(browser, base + "/").get_by_test_id("stMetric").first.wait_for(timeout=90_000)  # set up
    tracking_no, code = file_complaint(browser, f"{base}/complaint?business={_business_id(tmp)}",
                                       "在米粉里吃出一根钢丝球的铁丝，<b>很危险</b>。", "浏览器测试",
                                       "13911112222")
    assert tracking_no.startswith("TS") and len(code) == 8

    track = open_page(browser, f"{base}/complaint_track?no={tracking_no}", width=390)
    track.get_by_label("查询码").fill(code)
    track.get_by_role("button", name="查询").click()
    track.get_by_text("依法应在").wait_for(timeout=60_000)
    assert "已提交" in track.inner_text("main")

    import sqlite3

    with sqlite3.connect(tmp / "portal.sqlite3") as conn:
        case_id = conn.execute("SELECT id FROM complaints WHERE tracking_no = ?",
                               (tracking_no,)).fetchone()[0]
    desk = open_page(browser, f"{base}/complaint_queue?id={case_id}")
    sign_in(desk, tmp, "demo_handler")
    desk.get_by_text(f"投诉 {tracking_no}").wait_for(timeout=60_000)
    desk.get_by_text("139****2222").wait_for(timeout=60_000)   # the right column renders last
    main = desk.inner_text("main")
    assert "139****2222" in main and "13911112222" not in main
    assert "<b>很危险</b>" in main           # shown as typed, not as HTML
    desk.get_by_role("button", name="受理", exact=True).click()
    desk.get_by_role("tab", name="办结").wait_for(timeout=60_000)
    desk.get_by_role("tab", name="办结").click()
    choose(desk, "办理结果", "调解成功")
    desk.get_by_label("办结答复（群众可见）").fill("经调解，商户同意退款 25 元并道歉。")
    desk.get_by_text("我已核对办理结果和答复内容，确认办结").click()
    desk.get_by_role("button", name="办结", exact=True).click()
    # The action's confirmation (a toast on the next run); "已办结" alone also names a filter.
    desk.get_by_test_id("stToast").filter(has_text="已办结").first.wait_for(timeout=60_000)
    with sqlite3.connect(tmp / "portal.sqlite3") as conn:
        assert conn.execute("SELECT status FROM complaints WHERE id = ?", (case_id,)).fetchone()[0] == "closed"

    track.reload()   # a new session: the citizen enters the code again
    track.get_by_label("查询码").fill(code, timeout=60_000)
    track.get_by_role("button", name="查询").click()
    track.get_by_text("退款 25 元").first.wait_for(timeout=60_000)
    track.get_by_text("满意", exact=True).click()
    track.get_by_role("button", name="提交评价").click()
    track.get_by_text("您的评价：满意").first.wait_for(timeout=60_000)
    assert not track.query_selector('[data-testid="stException"]')


def test_whole_round_in_the_browser(server, browser):
    """propose -> moderate -> vote -> plan -> link results -> published, at phone width for
    the citizen and desktop width for the publisher."""
    from helpers.rounds import move_to, round_form
    from portal.accounts.rules import cli_actor
    from portal.db import Database
    from portal.rounds import management

    base, tmp = server
    open_page(browser, base + "/").get_by_test_id("stMetric").first.wait_for(timeout=90_000)
    db = Database(f"sqlite:///{tmp / 'portal.sqlite3'}")
    with db.write() as session:
        round_id = management.create_round(session, cli_actor("test"), round_form(
            title="浏览器测试一期", description="请选出您最关心的食品，我们来抽检。",
            sample_count=1, daily_votes=1)).id

    # The citizen taps 你点我检 in the menu, then the round in the list.
    citizen = open_page(browser, base + "/", width=390)
    citizen.get_by_test_id("stMetric").first.wait_for(timeout=90_000)
    tap_menu(citizen, "你点我检", 390)
    citizen.get_by_role("link", name="浏览器测试一期").click()
    citizen.get_by_role("heading", name="提出建议").wait_for(timeout=60_000)
    assert f"round={round_id}" in citizen.url
    verify_phone(citizen, "13977778888")
    citizen.get_by_role("textbox", name="食品名称").fill("散装酸菜")
    citizen.get_by_role("textbox", name="在哪里买到").fill("东门农贸市场")
    citizen.get_by_role("textbox", name="为什么担心").fill("颜色发亮，担心色素和防腐剂超标。")
    citizen.get_by_role("button", name="提交建议").click()
    citizen.get_by_text("已收到您的建议").wait_for(timeout=60_000)

    # The publisher signs in from 登录 and opens 你点我检管理 from 我的工作.
    desk = open_page(browser, base + "/")
    desk.get_by_test_id("stMetric").first.wait_for(timeout=90_000)
    desk.locator('[data-testid="stSidebar"]').get_by_role("link", name="登录", exact=True).click()
    sign_in(desk, tmp, "demo_publisher", asked=False)
    desk.get_by_role("link", name="你点我检管理").first.click()
    desk.wait_for_url("**/rounds_admin", timeout=60_000)
    choose(desk, "选择一期", "浏览器测试一期（征集中）")
    desk.get_by_text("群众建议待审核（1）").wait_for(timeout=60_000)
    desk.get_by_role("button", name="通过", exact=True).click()
    desk.get_by_text("群众建议待审核（0）").wait_for(timeout=60_000)

    move_to(db, round_id, "voting")
    citizen.reload()   # a new session: verify again
    citizen.get_by_role("heading", name="投票").wait_for(timeout=60_000)
    verify_phone(citizen, "13977778888")
    citizen.get_by_role("button", name="投一票").click()
    citizen.get_by_text("今天已投").wait_for(timeout=60_000)
    assert "共 1 票" in citizen.inner_text("main")

    move_to(db, round_id, "sampling")
    desk.reload()      # a new session, still signed in (the sign-in cookie)
    assert "请先登录" not in desk.inner_text("main")
    choose(desk, "选择一期", "浏览器测试一期（抽检中）")
    desk.get_by_role("tab", name="抽检计划").click()
    desk.get_by_role("button", name="确定抽检计划").click()
    # The sampling's announcement comes in after the plan (written here as the importer
    # would; the demo's older batches are not offered: they were not this round's).
    from portal.sampling.models import SamplingBatch
    from portal.timeutil import local_today

    with db.write() as session:
        session.add(SamplingBatch(food_name="散装酸菜", result="合格", in_jurisdiction=True,
                                  category="蔬菜制品", identity_key="browser-round-test",
                                  content_hash="b", announcement_date=local_today()))
    desk.get_by_role("tab", name="关联抽检批次").click()
    desk.get_by_role("textbox", name="按食品名称或被抽样单位查找批次").fill("散装酸菜")
    desk.get_by_role("textbox", name="按食品名称或被抽样单位查找批次").press("Enter")
    desk.get_by_role("button", name="关联", exact=True).first.click()
    desk.get_by_role("button", name="取消关联").wait_for(timeout=60_000)
    desk.get_by_role("tab", name="公布结果").click()
    desk.get_by_role("textbox", name="结果说明（公开）").fill("本期抽检 1 项，结果见下方。")
    desk.get_by_role("button", name="公布结果").click()
    desk.get_by_text("结果已公布").first.wait_for(timeout=60_000)

    citizen.reload()
    citizen.get_by_text("共抽检").wait_for(timeout=60_000)
    main = citizen.inner_text("main")
    assert "已公布" in main and "散装酸菜" in main
    assert not citizen.query_selector('[data-testid="stException"]')


def _settle(page) -> None:
    """Until the page is drawn, and drawn again after the one reload of a page that gives
    this browser its token (满意度调查: "请稍候……", then the page with the cookie)."""
    page.locator("h1").first.wait_for(timeout=90_000)
    wait_until_drawn(page)         # charts and maps come after the title
    if "browser_token" in page.url or page.get_by_text("请稍候……").count():
        page.wait_for_function("""() => !location.search.includes("browser_token")
                                        && !document.body.innerText.includes("请稍候……")
                                        && document.querySelector("h1")""", timeout=90_000)
        wait_until_drawn(page)


def test_every_public_page_fits_a_phone_screen(server, browser):
    """390 px wide, each public page reached as a person reaches it on a phone (the menu, or
    the footer for 网站地图): nothing runs off the side of the page, no error box."""
    from portal.ui import nav

    page = open_page(browser, server[0] + "/", width=390)
    for spec in (p for p in nav.PAGES if p.section == nav.PUBLIC):
        stem = "" if spec.path == "streamlit_app.py" else Path(spec.path).stem
        if stem and spec.sidebar:
            tap_menu(page, spec.label, 390)
        elif stem:
            page.locator("footer, [data-testid=stMain]").get_by_role("link", name=spec.label).last.click()
        page.wait_for_url(f"{server[0]}/{stem}")
        _settle(page)
        # Screen readers pick their voice from the document's language (WCAG 3.1.1).
        page.wait_for_function("document.documentElement.lang === 'zh-CN'", timeout=30_000)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"/{stem} is {overflow}px wider than the phone"
        assert not page.query_selector('[data-testid="stException"]'), stem
    page.close()


def test_keyboard_alone_opens_a_service_and_searches(server, browser):
    """No mouse: Tab to a service on the home page, Enter; Tab to the search box, type, Enter."""
    base, _ = server
    page = open_page(browser, base + "/", width=390)
    page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    for _ in range(80):
        page.keyboard.press("Tab")
        # The link in the page body (icons are aria-hidden; the link's name is its words).
        if page.evaluate("""(() => { const e = document.activeElement;
                return e.tagName === 'A' && !e.closest('[data-testid=stSidebar]')
                    && e.innerText.includes('商户查询'); })()"""):
            break
    else:
        raise AssertionError("Tab never reached the 商户查询 link")
    page.keyboard.press("Enter")
    page.wait_for_url("**/business**", timeout=30_000)
    page.get_by_label("名称或地址").wait_for(timeout=60_000)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label') || ''") == "名称或地址":
            break
    else:
        raise AssertionError("Tab never reached the search box")
    page.keyboard.type("丰乐")
    page.keyboard.press("Enter")
    page.get_by_text("丰乐").nth(1).wait_for(timeout=60_000)
    assert "丰乐" in page.url or "丰乐" in page.inner_text("main")
    page.close()


def _follow(page, link: str, url: str) -> None:
    """Click a sidebar link; a click landing while the page reruns is lost, so try again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(3):
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name=link).click()
        try:
            page.wait_for_url(url, timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"{link} did not open")


def test_a_visitor_switches_to_english_and_keeps_it_across_pages(server, browser):
    base, _ = server
    page = open_page(browser, base + "/")
    page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="English").click()
    page.get_by_role("heading", name="Food safety in Zhangjiajie (张家界市)").wait_for(timeout=60_000)
    assert "lang=en" in page.url
    page.wait_for_function("document.documentElement.lang === 'en'", timeout=30_000)
    assert "Demo data (演示数据)" in page.inner_text("main")
    _follow(page, "Find a business", "**/business?lang=en")
    page.get_by_label("Name or address").wait_for(timeout=60_000)
    assert page.title().startswith("Find a business")
    # A phone reloads a tab it brings back: the address keeps the language.
    page.reload()
    page.get_by_label("Name or address").wait_for(timeout=60_000)
    # An officials' page (Chinese only) says so, in English; Chinese comes back with one click.
    _follow(page, "Sign in", "**/login?lang=en")
    page.get_by_text("This page is in Chinese only for now").wait_for(timeout=60_000)
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="简体中文").click()
    page.get_by_role("link", name="满意度调查").first.wait_for(timeout=60_000)
    # The page reruns in Chinese: the English notice goes away.
    page.get_by_text("This page is in Chinese only").wait_for(state="detached", timeout=60_000)
    assert "lang=en" not in page.url
    page.close()


def test_door_page_on_a_phone_opens_the_complaint_form_with_the_business_chosen(server, browser):
    """Scan the code at the door on a 390 px phone: the page reads without JavaScript; tap
    投诉举报 and land on the form with this business already chosen."""
    import sqlite3

    base, tmp = server
    phone = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
    without_js = browser.new_context(**phone, java_script_enabled=False)
    page = without_js.new_page()
    page.goto(f"{base}/b/1", timeout=90_000)        # the first request sets the portal up
    with sqlite3.connect(tmp / "portal.sqlite3") as conn:
        business_id, name, address = conn.execute(
            "SELECT id, name, address FROM businesses WHERE sector = 'catering' ORDER BY id LIMIT 1").fetchone()
    page.goto(f"{base}/b/{business_id}")
    assert page.inner_text("h1") == name
    assert "餐饮服务食品安全量化分级" in page.inner_text("main") and "演示数据" in page.inner_text("main")
    without_js.close()

    page = browser.new_context(**phone).new_page()
    page.goto(f"{base}/b/{business_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390   # nothing wider than the phone
    button = page.get_by_role("link", name="投诉举报", exact=True)
    assert button.bounding_box()["width"] >= 300                          # a button a thumb finds
    button.tap()
    page.get_by_role("heading", name="1. 涉及哪家商户").wait_for(timeout=90_000)
    assert f"/complaint?business={business_id}" in page.url
    from playwright.sync_api import expect

    expect(page.get_by_role("combobox", name="选择商户")).to_have_value(f"{name}（{address}）",
                                                                      timeout=60_000)
