"""Citizens' journeys as a person makes them: start from the home page and click, tap and
share; never type a link a person would reach by clicking, and follow every link read.
Real Chromium (Debian's) against a running portal, at phone and desktop widths."""
import re
import sqlite3

import pytest

from helpers.browser import browser, open_page, server, tap_menu, wait_until_drawn  # noqa: F401  (module fixtures)

PHONE, DESKTOP = 390, 1280


def _home(browser, base, width):
    page = open_page(browser, base + "/", width)
    page.get_by_test_id("stMetric").first.wait_for(timeout=90_000)
    return page


def _db(tmp):
    return sqlite3.connect(tmp / "portal.sqlite3")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_a_failed_pork_batch_is_found_opened_shared_and_left_with_back(server, browser, width):
    base, tmp = server
    page = _home(browser, base, width)
    tap_menu(page, "抽检结果", width)
    page.get_by_role("textbox", name="食品、生产企业或被抽样单位名称").fill("猪肉")
    page.get_by_role("radio", name="不合格").or_(page.get_by_role("button", name="不合格", exact=True)) \
        .first.click()
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"q=.*result=|result=.*q="), timeout=60_000)
    # "共找到" heads the unfiltered list too: wait until the filtered run has replaced it.
    wait_until_drawn(page)
    page.get_by_text("共找到").wait_for(timeout=60_000)
    page.locator('[data-testid="stMarkdown"] strong').filter(has_text="猪肉").first.wait_for(timeout=60_000)
    list_url = page.url
    cards = page.get_by_role("link", name="查看详情")
    first_title = page.locator('[data-testid="stMarkdown"] strong').first.inner_text()
    cards.first.click()
    page.get_by_role("link", name="返回查询结果").wait_for(timeout=60_000)
    page.wait_for_url(re.compile(r"batch=\d+"), timeout=30_000)
    batch_url = page.url
    batch_id = re.search(r"batch=(\d+)", batch_url).group(1)
    with _db(tmp) as conn:
        food, result = conn.execute("SELECT food_name, result FROM sampling_batches WHERE id = ?",
                                    (batch_id,)).fetchone()
    assert "猪肉" in food and result == "不合格"
    assert food in page.inner_text("main") and first_title

    # Shared into WeChat: a stranger's fresh browser opens the same batch.
    other = open_page(browser, batch_url, width)
    other.get_by_role("link", name="返回查询结果").wait_for(timeout=60_000)
    assert food in other.inner_text("main") and "不合格" in other.inner_text("main")
    other.close()

    # A click in the batch view keeps it (the next rerun used to fall back to the list).
    page.get_by_role("link", name="返回查询结果").wait_for()
    page.go_back()
    page.get_by_text("共找到").wait_for(timeout=60_000)
    assert page.url == list_url
    assert page.get_by_role("textbox", name="食品、生产企业或被抽样单位名称").input_value() == "猪肉"
    # Forward to the batch, then its own 返回查询结果: the list again, and the address says so
    # (it kept the batch once, so a reload or a share opened the batch instead).
    page.go_forward()
    page.get_by_role("link", name="返回查询结果").click()
    page.wait_for_url(list_url, timeout=30_000)
    page.get_by_text("共找到").wait_for(timeout=60_000)
    page.reload()
    page.get_by_text("共找到").wait_for(timeout=90_000)
    assert "batch=" not in page.url and "返回查询结果" not in page.inner_text("main")
    page.close()


def _visible_frame(page):
    for _attempt in range(120):
        frames = [f for f in page.frames if f.query_selector(".marker-cluster")]
        if frames:
            return frames[0]
        page.wait_for_timeout(500)
    raise AssertionError("the map drew no clusters")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_map_cluster_pin_and_popup_link_open_the_business(server, browser, width):
    base, tmp = server
    page = _home(browser, base, width)
    tap_menu(page, "餐饮地图", width)
    frame = _visible_frame(page)
    # Tap clusters until single pins show, as a person zooms in by tapping.
    for _attempt in range(12):
        if frame.locator(".fs-pin").count():
            break
        frame.locator(".marker-cluster").first.click()
        page.wait_for_timeout(900)
    pin = frame.locator(".fs-pin").first
    pin.click()
    link = frame.locator(".leaflet-popup-content a")
    link.wait_for(timeout=30_000)
    frame.wait_for_function("() => document.querySelector('.leaflet-popup-content strong').textContent",
                            timeout=30_000)
    name = frame.locator(".leaflet-popup-content strong").inner_text()
    _open_popup_link(page, link)
    page.get_by_role("link", name="返回商户查询").wait_for(timeout=60_000)
    assert page.locator("h1").first.inner_text() == name
    page.close()


def _open_popup_link(page, link) -> None:
    """Tap the popup's link: a full page load of the business page. Waits for the address to
    change (the navigation committed), not for the load to finish: under a full run's load
    the new page's load once took longer than 30 s (the page itself is checked next)."""
    link.click()
    page.wait_for_url(re.compile(r"/business\?id=\d+"), wait_until="commit", timeout=60_000)


def test_near_me_lists_the_nearest_business_first(server, browser):
    from portal.ratings.nearby import distance_m

    base, tmp = server
    with _db(tmp) as conn:
        lat, lng, name = conn.execute(
            "SELECT lat, lng, name FROM businesses WHERE location_approximate = 0 ORDER BY id LIMIT 1 OFFSET 7"
        ).fetchone()
        everyone = conn.execute("SELECT name, lat, lng FROM businesses").fetchall()
    here = (lat + 0.0004, lng + 0.0004)          # about 60 m from that business
    nearest = min(everyone, key=lambda row: distance_m(*here, row[1], row[2]))[0]
    context = browser.new_context(viewport={"width": PHONE, "height": 844}, permissions=["geolocation"],
                                  geolocation={"latitude": here[0], "longitude": here[1]})
    page = context.new_page()
    page.goto(base + "/")
    page.get_by_test_id("stMetric").first.wait_for(timeout=90_000)
    tap_menu(page, "餐饮地图", PHONE)
    frame = _visible_frame(page)
    frame.get_by_role("button", name=re.compile("显示我附近的单位")).click()
    page.get_by_role("heading", name="离这里最近的单位").wait_for(timeout=60_000)
    listed = page.locator('[data-testid="stPageLink"]').filter(has_text=nearest)
    listed.first.wait_for(timeout=30_000)
    links = page.get_by_role("heading", name="离这里最近的单位").locator(
        "xpath=following::*[@data-testid='stPageLink']")
    assert links.first.inner_text().strip() == nearest
    assert "约" in page.inner_text("main") and "米" in page.inner_text("main")
    # The list works without the map: its first entry opens the business.
    links.first.click()
    page.get_by_role("link", name="返回商户查询").wait_for(timeout=60_000)
    assert page.locator("h1").first.inner_text() == nearest
    context.close()


def test_a_typed_road_lists_businesses_on_it(server, browser):
    base, tmp = server
    with _db(tmp) as conn:
        address = conn.execute("SELECT address FROM businesses WHERE address LIKE '%路%' ORDER BY id LIMIT 1"
                               ).fetchone()[0]
    road = re.search(r"([\u4e00-\u9fff]{2,4}路)", address.split("区")[-1].split("县")[-1]).group(1)
    page = _home(browser, base, DESKTOP)
    tap_menu(page, "餐饮地图", DESKTOP)
    _visible_frame(page)
    page.get_by_role("textbox", name="地址、道路、小区或单位名称").fill(road)
    page.get_by_role("button", name="查找").click()
    page.get_by_role("heading", name="离这里最近的单位").wait_for(timeout=60_000)
    assert f"地址含“{road}”" in page.inner_text("main")
    page.close()


def test_voting_from_the_list_of_rounds(server, browser):
    """Home -> 你点我检 -> a round in 投票中 -> phone -> code -> vote, by taps on a phone."""
    base, tmp = server
    page = _home(browser, base, PHONE)
    tap_menu(page, "你点我检", PHONE)
    page.get_by_role("heading", name="你点我检").wait_for(timeout=60_000)
    card = page.locator('[data-testid="stLayoutWrapper"]').filter(has_text="投票中") \
        .filter(has=page.get_by_test_id("stPageLink")).last
    card.get_by_role("link").click()
    page.wait_for_url(re.compile(r"round=\d+"), timeout=30_000)
    round_url = page.url
    # Typing while the round's page still draws can be lost to the run that finishes it.
    wait_until_drawn(page)
    page.get_by_role("textbox", name="手机号码").fill("13822223333")
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_text("您的验证码是").wait_for(timeout=60_000)
    assert page.url == round_url
    code = re.search(r"验证码是\s*(\d{6})", page.inner_text("main")).group(1)
    page.get_by_role("textbox", name="验证码").fill(code)
    page.get_by_role("button", name="验证", exact=True).click()
    page.get_by_text("已验证").wait_for(timeout=60_000)
    page.get_by_role("button", name="投一票").first.click()
    page.get_by_text("今天已投").first.wait_for(timeout=60_000)
    round_id = re.search(r"round=(\d+)", round_url).group(1)
    with _db(tmp) as conn:
        assert conn.execute("SELECT count(*) FROM round_votes WHERE round_id = ? AND is_demo = 0",
                            (round_id,)).fetchone()[0] == 1
    page.close()


def test_complaint_with_a_photo_from_a_business_page_then_tracked_and_shared(server, browser, tmp_path):
    """商户查询 -> a business -> 投诉或举报这家单位 -> the form with a photo -> receipt ->
    查询办理进度 -> the case; its address carries the number only, so a shared link asks for
    the code again."""
    from helpers.complaints import jpeg_with_gps
    from helpers.browser import choose

    base, tmp = server
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_with_gps())
    page = _home(browser, base, PHONE)
    tap_menu(page, "商户查询", PHONE)
    page.get_by_role("textbox").first.fill("饭店")
    page.get_by_role("button", name="查询").click()
    page.get_by_text("共找到").wait_for(timeout=60_000)
    page.locator('[data-testid="stPageLink"]').filter(has_text="饭店").first.click()
    page.get_by_role("link", name="投诉或举报这家单位").click()
    page.get_by_role("heading", name="2. 发生了什么").wait_for(timeout=60_000)
    choose(page, "问题类别", "异物")
    from datetime import timedelta

    from portal.timeutil import local_today

    page.get_by_role("spinbutton", name=re.compile("year")).first.click()
    page.keyboard.type((local_today() - timedelta(days=1)).strftime("%Y%m%d"))
    page.get_by_role("textbox", name="问题描述").fill("炒饭里有一截塑料绳，差点吞下去。")
    page.get_by_role("textbox", name="您的诉求").fill("退款并整改")
    page.locator('input[type="file"]').set_input_files(str(photo))
    page.get_by_text("photo.jpg").wait_for(timeout=30_000)
    page.get_by_role("textbox", name="姓名").fill("旅程测试")
    page.get_by_role("textbox", name="手机号码").fill("13955556666")
    page.get_by_text("我已阅读并同意上述个人信息处理说明").click()
    page.get_by_role("button", name="提交").click()
    page.get_by_text("我们已收到您的投诉").wait_for(timeout=60_000)
    page.locator('[data-testid="stCode"]').nth(1).wait_for(timeout=30_000)
    tracking_no, code = (c.strip() for c in page.locator('[data-testid="stCode"]').all_inner_texts()[:2])

    page.get_by_role("link", name="查询办理进度").click()
    page.get_by_role("textbox", name="查询码").fill(code, timeout=60_000)
    page.get_by_role("button", name="查询").click()
    page.get_by_text("您提交的照片（1 张").wait_for(timeout=60_000)
    page.wait_for_url(re.compile(rf"no={tracking_no}"), timeout=30_000)
    assert code not in page.url

    shared = open_page(browser, page.url, PHONE)
    shared.get_by_role("textbox", name="查询码").wait_for(timeout=60_000)
    assert shared.get_by_role("textbox", name="查询编号").input_value() == tracking_no
    assert "您提交的照片" not in shared.inner_text("main")
    shared.close()
    page.close()
