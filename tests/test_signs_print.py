"""公示牌打印 (pages/signs_print.py, portal/signs.print_signs): a publisher prints one business's
sign or a whole district's as one PDF, as a person does it on the page; the print is audited
and refused to an official without the publish role."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpers.pages import demo_password, open_page, sign_in, texts
from portal.registry.models import CATERING
from portal import signs
from portal.accounts.audit import AuditEntry
from portal.accounts.permissions import PermissionDenied
from portal.accounts.rules import Actor
from portal.config import load_settings
from portal.registry.models import Business


@pytest.fixture
def portal(app_env):
    from portal.bootstrap import bootstrap

    return bootstrap()


def test_a_publisher_prints_a_district_and_one_business(app_env, portal):
    district = portal.profile.districts[0]
    with portal.db.read() as session:
        expected = signs.district_count(session, district.adcode)
        restaurant = session.scalars(select(Business).where(Business.sector == CATERING)
                                     .order_by(Business.id)).first()
        name = restaurant.name
    assert expected > 1
    at = open_page("pages/login.py")
    sign_in(at, "demo_publisher", demo_password(app_env, "demo_publisher"))
    at.switch_page("pages/signs_print.py").run()
    assert not at.exception
    at.radio[0].set_value("district").run()
    at.selectbox[0].set_value(district.adcode).run()
    assert f"{district.name}（{expected} 家）" in at.selectbox[0].format_func(district.adcode)
    next(b for b in at.button if b.label == "生成全区县公示牌").click()
    at.run()
    assert not at.exception
    assert "已生成" in texts(at)
    filename, body = at.session_state["sign_pdf"]
    assert filename == f"公示牌-{district.name}.pdf"
    assert len(PdfReader(io.BytesIO(body)).pages) == expected
    assert at.get("download_button")
    # One business: found by a part of its name.
    at.radio[0].set_value("business").run()
    at.text_input[0].input(name).run()
    next(b for b in at.button if b.label == "生成公示牌").click()
    at.run()
    filename, body = at.session_state["sign_pdf"]
    assert len(PdfReader(io.BytesIO(body)).pages) == 1
    with portal.db.read() as session:
        printed = session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_print")
                                  .order_by(AuditEntry.id)).all()
    assert [(e.object_type, e.actor_name) for e in printed] == [("district", "demo_publisher"),
                                                               ("business", "demo_publisher")]
    assert f'"pages": {expected}' in printed[0].detail


@pytest.mark.security
def test_printing_needs_the_publish_role(portal):
    handler = Actor(None, "h", "办理人", frozenset({"handler"}))
    with portal.db.write() as session, pytest.raises(PermissionDenied):
        signs.print_signs(session, handler, base_url="http://x", secret_key=load_settings().secret_key,
                          bureau="局", district=portal.profile.districts[0].adcode)
