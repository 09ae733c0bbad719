"""The 公示牌 /b/{id}/sign.pdf (portal/signs.py), its sticker code (portal/ratings/stickers.py)
as the door page reads it back, and the badge /b/{id}/badge.svg: the PDF opens and names the
business, its QR code decodes to the door page with a signed code, the door page tells a
current sign from an old or forged one, hostile names stay text, unknown ids get 404, builds
are bounded. On the small demo (app_env)."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
from datetime import date
from urllib.parse import urlsplit

import cv2
import numpy
import pypdfium2
import pytest
from pypdf import PdfReader
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.config import load_settings
from portal.ratings import stickers
from portal.ratings.queries import business_rating
from portal.registry.models import Business
from portal.timeutil import local_today
from portal.web.door import door_routes
from test_door_page import client, rated_business, text


@pytest.fixture
def portal(app_env):
    from portal.bootstrap import bootstrap

    return bootstrap()


def pdf_text(body: bytes) -> str:
    """The PDF's text without the spaces extraction puts between CJK glyphs."""
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages))


def qr_of(body: bytes) -> str:
    """The first page drawn at 200 dpi, as a phone camera would see it, and its QR code read."""
    document = pypdfium2.PdfDocument(body)
    try:
        image = numpy.array(document[0].render(scale=200 / 72).to_pil().convert("L"))
    finally:
        document.close()
    found, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return found


def current_grade(portal, business_id: int) -> str | None:
    with portal.db.read() as session:
        found = business_rating(session, session.get(Business, business_id), local_today())
        return found.rating.dynamic if found else None


def test_the_sign_opens_names_the_business_and_its_qr_code_opens_the_door_page(portal):
    business = rated_business(portal)
    door = client(portal)
    response = door.get(f"/b/{business.id}/sign.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    shown = pdf_text(response.content)
    grade = current_grade(portal, business.id)
    assert business.name.replace(" ", "") in shown and grade in shown
    assert portal.profile.bureau in shown and "演示数据" in shown
    assert f"{local_today().year}年" in shown
    # The QR code: the door page under the request's own base (PORTAL_PUBLIC_URL is empty),
    # with a sticker code; scanned, the page says the sign is current.
    url = qr_of(response.content)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://testserver" and parts.path == f"/b/{business.id}"
    assert re.fullmatch(r"s=[ABCN][0-9a-z]+\.[0-9a-f]{12}", parts.query)
    page = door.get(f"{parts.path}?{parts.query}")
    assert "公示牌上的等级就是当前等级。" in text(page.text)
    # Cached, with validators like the door page.
    again = door.get(f"/b/{business.id}/sign.pdf", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_the_qr_code_uses_the_public_address_when_set(portal, monkeypatch):
    business = rated_business(portal)
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://food.example.gov.cn")
    door = client(portal, load_settings())
    body = door.get(f"/b/{business.id}/sign.pdf", headers={"Host": "evil.example"}).content
    assert qr_of(body).startswith(f"https://food.example.gov.cn/b/{business.id}?s=")


def test_an_old_sign_says_which_grade_it_showed_and_what_the_grade_is_now(portal):
    business = rated_business(portal)
    grade = current_grade(portal, business.id)
    other = next(g for g in ("优秀", "良好", "一般") if g != grade)
    key = load_settings().secret_key
    code = stickers.sign(key, business.id, other, date(2026, 5, 14))
    page = text(client(portal).get(f"/b/{business.id}?s={code}").text)
    assert f"此公示牌为2026年5月的等级（{other}），当前等级为{grade}。" in page
    english = text(client(portal).get(f"/b/{business.id}?s={code}&lang=en").text)
    assert "May 2026" in english and "此公示牌" not in english


@pytest.mark.security
def test_a_forged_or_borrowed_sticker_code_is_flagged(portal):
    business = rated_business(portal)
    key = load_settings().secret_key
    grade = current_grade(portal, business.id)
    genuine = stickers.sign(key, business.id, grade, local_today())
    tampered = ("C" if genuine[0] != "C" else "A") + genuine[1:]          # the grade changed
    borrowed = stickers.sign(key, business.id + 1, grade, local_today())  # another shop's sign
    other_key = stickers.sign("x" * 40, business.id, grade, local_today())
    door = client(portal)
    for code in (tampered, borrowed, other_key, "garbage", "A" + "z" * 5 + "." + "0" * 12, ""):
        page = text(door.get(f"/b/{business.id}", params={"s": code}).text)
        assert "公示牌可能是伪造或被改动过的" in page, code
    assert stickers.read(key, business.id, genuine) == stickers.Sticker(grade, local_today())
    assert "伪造" not in text(door.get(f"/b/{business.id}?s={genuine}").text)
    assert "伪造" not in text(door.get(f"/b/{business.id}").text)       # no code, no note


@pytest.mark.security
def test_hostile_names_stay_text_on_the_sign_and_the_badge(portal):
    business = rated_business(portal)
    hostile = '<script>alert(1)</script>"><svg onload=alert(2)>&amp;'
    with portal.db.write() as session:
        session.get(Business, business.id).name = hostile
    door = client(portal)
    shown = pdf_text(door.get(f"/b/{business.id}/sign.pdf").content)
    assert '<script>alert(1)</script>"><svgonload=alert(2)>&amp;' in shown
    badge = door.get(f"/b/{business.id}/badge.svg")
    assert badge.status_code == 200 and badge.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in badge.headers["content-security-policy"]
    root = ElementTree.fromstring(badge.content)           # well-formed: nothing broke out
    tags = {element.tag.split("}")[1] for element in root.iter()}
    assert tags <= {"svg", "title", "rect", "g", "text"}
    assert not any(name.startswith("on") for element in root.iter() for name in element.attrib)
    assert root.find("{http://www.w3.org/2000/svg}title").text.startswith("<script>alert(1)")


def test_the_badge_shows_the_grade_with_etag_and_304(portal):
    business = rated_business(portal)
    door = client(portal)
    badge = door.get(f"/b/{business.id}/badge.svg")
    grade = current_grade(portal, business.id)
    assert grade in badge.text and business.name in badge.text
    assert len(badge.content) < 2048
    assert door.get(f"/b/{business.id}/badge.svg",
                    headers={"If-None-Match": badge.headers["etag"]}).status_code == 304
    english = door.get(f"/b/{business.id}/badge.svg?lang=en")
    assert english.headers["etag"] != badge.headers["etag"]


def test_unknown_ids_get_404_for_the_sign_and_the_badge(portal):
    door = client(portal)
    for path in ("/b/99999999/sign.pdf", "/b/0/sign.pdf", "/b/abc/badge.svg", "/b/99999999/badge.svg"):
        response = door.get(path)
        assert response.status_code == 404, path
        assert "没有找到这家商户" in response.text


@pytest.mark.security
def test_sign_builds_are_bounded_per_address_and_cached_signs_cost_nothing(portal):
    with portal.db.read() as session:
        ids = [b.id for b in session.query(Business).order_by(Business.id).limit(2)]
    door = TestClient(Starlette(routes=door_routes(lambda: portal, load_settings(), sign_builds_per_minute=1)))
    assert door.get(f"/b/{ids[0]}/sign.pdf").status_code == 200
    refused = door.get(f"/b/{ids[1]}/sign.pdf")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert door.get(f"/b/{ids[0]}/sign.pdf").status_code == 200     # from the cache


def test_staff_named_in_the_registry_are_on_the_sign_and_the_door_page(portal):
    business = rated_business(portal)
    with portal.db.write() as session:
        row = session.get(Business, business.id)
        row.safety_officer, row.safety_director = "王<b>芳", "李国"
        row.responsible_official, row.responsible_phone = "覃建国", "0744-8221234 转 801"
    door = client(portal)
    shown = pdf_text(door.get(f"/b/{business.id}/sign.pdf").content)
    assert "食品安全员：王<b>芳" in shown and "食品安全总监：李国" in shown
    assert "包保责任人：覃建国工作电话0744-8221234转801" in shown
    html = door.get(f"/b/{business.id}").text
    assert "食品安全员：王&lt;b&gt;芳" in html and 'href="tel:07448221234;ext=801"' in html
    assert "Food safety officer" in text(door.get(f"/b/{business.id}?lang=en").text)
