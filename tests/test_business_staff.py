"""The staff a registry names (食品安全员, 食品安全总监, 包保责任人 and a work phone): the
importer's column synonyms, its checks, a file without the columns leaving them alone, the
officials' correction form, and the demo's share of them."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpers.pages import demo_password, open_page, sign_in, texts
from portal.registry.models import CATERING
from portal.importers.registry import import_registry
from portal.registry.models import Business


@pytest.fixture
def portal(app_env):
    from portal.bootstrap import bootstrap

    return bootstrap()


def publisher(portal):
    from helpers.db import official

    return official(portal, "publisher", "pub1")


def test_the_importer_reads_staff_columns_by_their_usual_names(portal):
    actor = publisher(portal)
    rows = ("单位名称,主体业态,经营地址,所属区县,食品安全管理员,食安总监,包保干部,包保干部电话\n"
            "测试土家菜馆,餐馆,永定区人民路1号,永定区,王芳,,覃建国,0744-8221234 转 801\n"
            "测试二号馆,餐馆,永定区人民路2号,永定区,<script>,,李四,0744-8221234\n"
            "测试三号馆,餐馆,永定区人民路3号,永定区,张三,,李四,13800000000abc\n")
    with portal.db.write() as session:
        report = import_registry(session, actor, rows.encode(), "x.csv", "businesses", portal.profile)
    assert report.imported == 1 and report.rejected == 2
    assert [(e["column"], e["message"][:8]) for e in report.errors] == [
        ("食品安全管理员", "姓名最多 40 "), ("包保干部电话", "工作电话只能含数")]
    with portal.db.read() as session:
        found = session.scalar(select(Business).where(Business.name == "测试土家菜馆"))
        assert (found.safety_officer, found.safety_director, found.responsible_official,
                found.responsible_phone) == ("王芳", None, "覃建国", "0744-8221234 转 801")
    # A later file without the staff columns leaves them as they were.
    again = "单位名称,主体业态,经营地址,所属区县\n测试土家菜馆,快餐店,永定区人民路1号,永定区\n"
    with portal.db.write() as session:
        assert import_registry(session, actor, again.encode(), "y.csv", "businesses", portal.profile).updated == 1
    with portal.db.read() as session:
        found = session.scalar(select(Business).where(Business.name == "测试土家菜馆"))
        assert found.business_type == "快餐店" and found.safety_officer == "王芳"


def test_the_demo_names_staff_for_most_restaurants_and_none_elsewhere(portal):
    with portal.db.read() as session:
        def count(*where):
            return session.scalar(select(func.count()).select_from(Business).where(*where))
        restaurants = count(Business.sector == CATERING)
        assert 0.6 < count(Business.sector == CATERING, Business.safety_officer.is_not(None)) / restaurants < 0.9
        assert count(Business.responsible_official.is_not(None), Business.responsible_phone.is_(None)) == 0
        assert count(Business.sector != CATERING, Business.safety_officer.is_not(None)) == 0


def test_a_publisher_corrects_the_staff_and_the_business_page_shows_them(app_env, portal):
    with portal.db.read() as session:
        business = session.scalars(select(Business).where(Business.sector == CATERING)
                                   .order_by(Business.id)).first()
        name, ident = business.name, business.id
    at = open_page("pages/login.py")
    sign_in(at, "demo_publisher", demo_password(app_env, "demo_publisher"))
    at.switch_page("pages/registry_edit.py").run()
    at.text_input[0].input(name).run()
    next(t for t in at.text_input if t.label == "食品安全员").input("赵*敏*")
    next(t for t in at.text_input if t.label == "包保责任人").input("向红")
    next(t for t in at.text_input if t.label == "包保责任人工作电话").input("0744-8220000")
    next(b for b in at.button if b.label == "保存登记信息").click()
    at.run()
    assert "已保存" in texts(at), texts(at)
    with portal.db.read() as session:
        row = session.get(Business, ident)
        assert (row.safety_officer, row.responsible_official, row.responsible_phone) == ("赵*敏*", "向红", "0744-8220000")
    page = open_page("pages/business.py", {"id": str(ident)})
    shown = texts(page)
    assert "食品安全员：赵\\*敏\\*" in shown and "包保责任人：向红（工作电话 0744\\-8220000）" in shown
