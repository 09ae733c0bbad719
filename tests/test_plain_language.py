"""Say things plainly: test values read as the announcement wrote them, citizens' item pages
carry no notes meant for whoever installs the portal, and the business page shows its grade
as the sticker on the door does."""
import io
import os
import re

import numpy as np
import openpyxl
import pytest
from sqlalchemy import func, select

from conftest import SHARED
from portal.accounts.rules import cli_actor
from portal.db import Database
from portal.importers.sampling import import_sampling
from portal.numbers import plain, times_ten
from portal.sampling.models import Disposal, FailedItem, SamplingBatch
from portal.ui.widgets import md
from helpers.pages import demo_password, open_page, sign_in, texts

REAL = SHARED / "data" / "real" / "sampling"
FROZEN = REAL / "foodmate_2022_frozen_unqualified_YEJC1992.csv"
# Notes for whoever installs the portal, API details and statistical jargon.
INSTALLER_NOTES = ("未经核实", "请按本地规定", "请按本省规定", "请按现行规定", "部署", "管理员",
                   "/api/v1", "接口", "速率", "每分钟", "置信区间", "标准误", "DOMAIN.md")
EXPONENT = re.compile(r"\d[eE][+-]?\d")


def db() -> Database:
    return Database(os.environ["PORTAL_DATABASE_URL"])


def everything(at) -> str:
    """All the text a visitor can read, tables and expander labels included."""
    return "\n".join([texts(at), *(str(t.value) for t in at.table),
                      *(e.label for e in at.expander), *(str(m.value) for m in at.metric)])


def open_item(page: str, **params):
    from streamlit.testing.v1 import AppTest

    from helpers.pages import ENTRY

    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


# --- numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize("value, significant, expected", [
    (393000.0, None, "393000"), (3.93e5, 3, "393000"), (1e-05, None, "0.00001"),
    (5432.1, 3, "5430"), (0.35, None, "0.35"), (1e20, None, "100000000000000000000"),
    (0.1 + 0.2, 15, "0.3"), (100000, None, "100000"), (-0.0, None, "0")])
def test_plain_numbers_have_no_exponent(value, significant, expected):
    assert plain(value, significant) == expected


def test_counts_are_written_as_announcements_write_them():
    assert times_ten(393000) == "3.9×10⁵"
    assert times_ten(25000) == "2.5×10⁴"
    assert times_ten(99600) == "1.0×10⁵"       # 9.96 rounds up into the next power
    assert times_ten(1.4e6) == "1.4×10⁶"


def test_demo_values_never_use_exponents():
    from portal.demo.sampling import LIMITS, _item_values

    rng = np.random.default_rng(3)
    values = [v for _ in range(40) for item in LIMITS for v in _item_values(rng, item)]
    assert not [v for v in values if EXPONENT.search(v)]
    counts = [v for v in values if v.endswith("CFU/g") and "×10" in v]
    assert counts and all(re.fullmatch(r"\d\.\d×10[⁴⁵⁶⁷]CFU/g", v) for v in counts)


# --- import ---------------------------------------------------------------------------------

def test_number_cells_of_a_spreadsheet_are_imported_without_exponent(portal):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["食品名称", "标称生产企业名称", "被抽样单位名称", "不合格项目", "检验结果", "标准值",
                  "公告日期"])
    sheet.append(["花生油", "某某粮油有限公司", "某某超市", "黄曲霉毒素B1", 0.00005, "≤0.00002", "2024-05-06"])
    sheet.append(["冰棍", "某某冷饮厂", "某某商店", "菌落总数", 393000.5, "≤100000", "2024-05-06"])
    buffer = io.BytesIO()
    book.save(buffer)
    with portal.db.write() as session:                               # the bureau's own file
        report = import_sampling(session, cli_actor("test"), buffer.getvalue(), "不合格产品.xlsx",
                                 portal.profile, outside="local")
    assert report.imported == 2, report.errors
    with portal.db.read() as session:
        values = set(session.scalars(select(FailedItem.result_value)))
    assert values == {"0.00005", "393000.5"}


def test_a_real_announcement_value_reads_as_published_on_the_page_and_in_the_api(app_env):
    from fastapi.testclient import TestClient

    from portal.api.app import create_api
    from portal.bootstrap import bootstrap
    from portal.config import load_settings

    open_page("streamlit_app.py")                    # first start: database and demo data
    portal = bootstrap(load_settings())
    with portal.db.write() as session:          # another province's, kept as 外地
        report = import_sampling(session, cli_actor("test"), FROZEN.read_bytes(), FROZEN.name,
                                 portal.profile, outside="keep")
    assert report.imported == 35
    with portal.db.read() as session:
        batch_id = session.scalar(select(SamplingBatch.id).where(SamplingBatch.food_name == "熊掌雪糕"))
    published = ("2.4×10⁵,2.3×10⁵,2.3×10⁵,2.2×10⁵,2.3×10⁵CFU/g", "n=5,c=2,m=2.5×10⁴,M=10⁵CFU/g")
    at = open_item("pages/sampling.py", batch=str(batch_id))
    body = everything(at)
    # As the file has them (the markdown source escapes the dots; the reader sees 2.4×10⁵).
    assert f"**{md(published[0])}**" in body and f"**{md(published[1])}**" in body
    api = TestClient(create_api(lambda: portal, per_minute=1000, trusted_proxy=False))
    item = api.get(f"/sampling/{batch_id}").json()["failed_items"][0]
    assert (item["result_value"], item["standard_value"]) == published


def test_migration_rewrites_exponents_of_demo_values_only(portal):
    from alembic import command

    from portal.db import alembic_config, upgrade

    written = {"3.93e+05CFU/g": "3.9×10⁵CFU/g", "5.75e+03μg/kg": "5750μg/kg",
               "≤1e+06CFU/g": "≤1.0×10⁶CFU/g", "0.731mg/kg": "0.731mg/kg"}
    with portal.db.write() as session:
        for n, (demo, values) in enumerate(((True, list(written)), (False, ["1.2E+05CFU/g"]))):
            batch = SamplingBatch(identity_key=f"k{n}", content_hash=f"k{n}", food_name="冰棍",
                                  result="不合格", is_demo=demo, in_jurisdiction=True)
            batch.failed_items = [FailedItem(position=i, item="菌落总数", result_value=v,
                                             standard_value=v) for i, v in enumerate(values)]
            session.add(batch)
    command.downgrade(alembic_config(portal.db.engine), "0008")
    upgrade(portal.db.engine)
    with portal.db.read() as session:
        rows = session.execute(select(FailedItem.result_value, FailedItem.standard_value,
                                      SamplingBatch.is_demo).join(SamplingBatch)
                               .order_by(SamplingBatch.id, FailedItem.position)).all()
    assert rows == [(new, new, True) for new in written.values()] + \
        [("1.2E+05CFU/g", "1.2E+05CFU/g", False)]          # imported text stays as published


# --- citizens' item pages -------------------------------------------------------------------

def _item_ids():
    from portal.rounds.models import Round
    from portal.ratings.models import Inspection

    with db().read() as session:
        batch_id = session.scalar(select(SamplingBatch.id).join(Disposal)
                                  .where(Disposal.due_on.is_not(None)).limit(1))
        business_id = session.scalar(select(Inspection.business_id).group_by(Inspection.business_id)
                                     .order_by(func.count().desc()).limit(1))
        round_id = session.scalar(select(Round.id).where(Round.published_at.is_not(None)).limit(1))
    return batch_id, business_id, round_id


def test_citizen_item_pages_carry_no_notes_for_installers(app_env):
    open_page("streamlit_app.py")
    batch_id, business_id, round_id = _item_ids()
    assert batch_id and business_id and round_id
    for page, params in (("pages/sampling.py", {"batch": batch_id}),
                         ("pages/business.py", {"id": business_id}),
                         ("pages/rounds.py", {"round": round_id})):
        body = everything(open_item(page, **{k: str(v) for k, v in params.items()}))
        assert [p for p in INSTALLER_NOTES if p in body] == [], page
        assert not EXPONENT.search(body), page
    # The home page's district table cites its population source, not what installers must check.
    assert "部署" not in everything(open_page("streamlit_app.py"))
    # The unverified rules are still marked so: on the about page and on officials' pages.
    about = everything(open_page("pages/about.py"))
    assert "未经核实" in about and "核查处置" in about
    at = open_page("pages/login.py")
    at = sign_in(at, "demo_publisher", demo_password(app_env, "demo_publisher"))
    at.switch_page("pages/sampling_disposal.py").run()
    assert "未经核实" in everything(at)


def test_business_page_shows_the_grade_as_on_the_door(app_env):
    from portal.ratings.queries import business_rating
    from portal.registry.models import Business
    from portal.timeutil import cn_date, local_today

    open_page("streamlit_app.py")
    _, business_id, _ = _item_ids()
    with db().read() as session:
        business = session.get(Business, business_id)
        rating = business_rating(session, business, local_today()).rating
    at = open_item("pages/business.py", id=str(business_id))
    big = [m.value for m in at.markdown if m.value.startswith("# ")]
    grade = f"# :{'green' if rating.dynamic == '优秀' else 'blue' if rating.dynamic == '良好' else 'orange'}" \
        if rating.dynamic else "# :gray"
    assert any(b.startswith(grade) and ":material/" in b for b in big)         # face and word
    assert f"# {rating.annual or '—'}" in big                                  # annual letter
    assert cn_date(rating.last_inspected_on) in texts(at)                      # 2026年11月22日
    body = texts(at)
    assert not re.search(r"(已办结|正在办理|共) \**0\** 件|已有 0 人", body)


def test_location_map_is_one_self_hosted_marker():
    from portal.maps import URL, location_map

    html = location_map(29.117, 110.479, "OpenStreetMap").get_root().render()
    assert html.count("L.circleMarker(") == 1 and "L.marker(" not in html
    assert f"{URL}/leaflet/leaflet.js" in html and "cdn.jsdelivr" not in html
