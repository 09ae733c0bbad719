import shapely
import stat
import os
from datetime import datetime

from sqlalchemy import func, select

from portal.demo import generator
from portal.registry.codes import credit_code_problem, licence_problem
from portal.registry.models import Business
from portal.meta import get_meta


def _businesses(portal):
    with portal.db.read() as session:
        return session.scalars(select(Business).order_by(Business.id)).all()


def test_small_demo_is_plausible_and_inside_districts(portal):
    written = generator.generate(portal.db, portal.profile, "small")
    assert written["businesses"] == 600 and written["sampling_batches"] == 2000
    assert 300 < written["rating_inspections"] < 1500
    rows = _businesses(portal)
    shapes = {s.adcode: s for s in portal.profile.shapes()}
    assert all(r.is_demo for r in rows)
    for row in rows:
        assert credit_code_problem(row.credit_code) is None
        assert licence_problem(row.licence_no) is None
        assert row.address.startswith("湖南省张家界市")
        if not row.location_approximate:
            assert shapely.contains_xy(shapes[row.district_adcode].geometry, row.lng, row.lat)
    types = {r.business_type for r in rows}
    assert {"餐馆", "学校食堂", "养老机构食堂", "超市", "食品生产企业"} <= types
    # More people, more businesses: 永定区 (≈505k) has far more than 武陵源区 (≈62k).
    by_district = {}
    for r in rows:
        by_district[r.district_adcode] = by_district.get(r.district_adcode, 0) + 1
    assert by_district["430802"] > 3 * by_district["430811"]


def test_demo_is_deterministic(portal, tmp_path):
    generator.generate(portal.db, portal.profile, "small", seed=7)
    first = [(r.name, r.lat, r.credit_code) for r in _businesses(portal)]
    generator.clear(portal.db)
    generator.generate(portal.db, portal.profile, "small", seed=7)
    assert [(r.name, r.lat, r.credit_code) for r in _businesses(portal)] == first


def test_clear_removes_demo_rows_only_and_first_start_does_not_reseed(portal):
    assert generator.seed_on_first_start(portal.db, portal.profile, "small",
                                         portal.settings.var_dir)
    with portal.db.write() as session:
        session.add(Business(name="张家界市真实餐馆", sector="catering", business_type="餐馆",
                             address="湖南省张家界市永定区人民路1号", district_adcode="430802",
                             lat=29.12, lng=110.48, location_approximate=False, is_demo=False))
    removed = generator.clear(portal.db)
    assert removed["businesses"] == 600 and removed["officials"] == 5
    assert removed["sampling_batches"] == 2000
    rows = _businesses(portal)
    assert [r.name for r in rows] == ["张家界市真实餐馆"]
    assert not generator.seed_on_first_start(portal.db, portal.profile, "small",
                                             portal.settings.var_dir)
    with portal.db.read() as session:
        assert not generator.has_demo_data(session)
        assert get_meta(session, generator.seed_key(portal.profile)) is not None


def test_demo_accounts_file_is_private_and_passwords_work(portal):
    from portal.accounts import actions

    path = generator.create_demo_accounts(portal.db, portal.settings.var_dir)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lines = [l.split("\t") for l in path.read_text().splitlines() if not l.startswith("#")]
    assert {l[0] for l in lines} == {"demo_admin", "demo_handler", "demo_publisher", "demo_analyst",
                                     "demo_tester"}
    username, password = lines[0][0], lines[0][1]
    with portal.db.write() as session:
        result = actions.sign_in(session, username, password, secret=portal.settings.secret_key)
    assert result.actor is not None
    # Run again: nothing new, no second file entry.
    assert generator.create_demo_accounts(portal.db, portal.settings.var_dir) is None


def test_demo_with_some_capabilities_left_empty(portal):
    """Benchmarks generate one capability's data only; the others' steps must cope with zero."""
    written = generator.generate(portal.db, portal.profile, "small", counts={
        "businesses": 100, "sampling_batches": 100, "complaints": 0, "votes": 0,
        "survey_responses": 0})
    assert written["complaints"] == 0 and written["round_votes"] == 0 and written["survey_responses"] == 0


def test_small_demo_samples_foods_where_they_are_sold_and_writes_values_as_published(portal):
    """A batch's food category fits the type of the unit it was taken at (no 酱卤猪肉 at a
    饮品店), a local producer makes what its name says, and test values read as announcements
    write them (3.9×10⁵CFU/g, never 3.93e+05CFU/g)."""
    from portal.demo.businesses import TYPES
    from portal.demo.sampling import MADE_BY, SOLD_AT
    from portal.sampling.models import FailedItem, SamplingBatch

    generator.generate(portal.db, portal.profile, "small")
    assert {kind for sector, kind, *_ in TYPES if sector != "production"} == set(SOLD_AT)
    with portal.db.read() as session:
        sampled = session.execute(
            select(SamplingBatch.food_name, SamplingBatch.category, Business.business_type)
            .join(Business, Business.id == SamplingBatch.sampled_business_id)).all()
        made = session.execute(
            select(SamplingBatch.category, Business.name)
            .join(Business, Business.id == SamplingBatch.producer_business_id)).all()
        values = session.execute(select(FailedItem.item, FailedItem.result_value,
                                        FailedItem.standard_value)).all()
    assert len(sampled) > 1500
    misfits = [(food, category, kind) for food, category, kind in sampled
               if category not in SOLD_AT[kind]]
    assert misfits == []
    assert not [f for f, _, kind in sampled if f == "酱卤猪肉" and kind == "饮品店"]
    assert made and all(any(name.endswith(w + "有限公司") for w in MADE_BY[category])
                        for category, name in made)
    assert values
    assert not [v for v in values if "e+" in " ".join(map(str, v)) or "e-0" in " ".join(map(str, v))]
    counts = [r for item, r, _ in values if item == "菌落总数"]
    assert all("×10" in r or int(r.removesuffix("CFU/g")) < 10_000 for r in counts)


def test_every_scale_the_settings_accept_is_a_scale_of_the_generator():
    from portal.config import DEMO_SCALES
    from portal.demo.generator import SCALES

    assert tuple(SCALES) == DEMO_SCALES
