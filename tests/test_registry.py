import shapely
import json

import pytest

from portal.geo import gcj02_to_wgs84, load_district_shapes, wgs84_to_gcj02
from portal.registry.codes import (credit_code_problem, licence_problem, make_credit_code,
                                   normalise_code, org_check_char)
from portal.registry.profiles import available_profiles, load_profile
from conftest import SHARED

# Published codes of well-known companies (printed on their licences and websites).
REAL_CODES = ["9144030071526726XG", "91330100799655058B", "91110000802100433B"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_pass(code):
    assert credit_code_problem(code) is None
    assert org_check_char(code[8:16]) == code[16]


@pytest.mark.parametrize("code,fragment", [
    ("9144030071526726XH", "校验位"), ("9144030071526726X", "18 位"),
    ("9144030071526726XI", "不允许"), ("91ABCDEF71526726XG", "不允许"),
])
def test_bad_credit_codes_say_what_is_wrong(code, fragment):
    assert fragment in credit_code_problem(code)


def test_full_width_and_spaces_are_normalised():
    assert normalise_code(" ９１４４０３００７１５２６７２６ｘｇ ") == "9144030071526726XG"


def test_generated_codes_are_valid():
    assert credit_code_problem(make_credit_code("92", "430802", "12345678")) is None


def test_registration_authority_may_be_a_letter():
    # GB 32100: N = 农业 (e.g. N2 农村集体经济组织), Y = 其他; python-stdnum's validate wants
    # digits there, so the portal checks the form itself and takes only the check digit.
    code = make_credit_code("N2", "430802", "12345678")
    assert credit_code_problem(code) is None
    wrong = code[:17] + ("1" if code[17] == "0" else "0")
    assert "校验位" in credit_code_problem(wrong)


def test_licence_numbers():
    assert licence_problem("JY24308021234567") is None
    assert licence_problem("SC10643080200012") is None
    assert licence_problem("JY2430802123456") is not None


def test_gcj_round_trip_and_offset():
    lng, lat = 110.479148, 29.117013  # 张家界 city seat
    g = wgs84_to_gcj02(lng, lat)
    assert 0.001 < abs(g[0] - lng) < 0.01  # GCJ-02 shifts by a few hundred metres
    back = gcj02_to_wgs84(*g)
    assert abs(back[0] - lng) < 1e-7 and abs(back[1] - lat) < 1e-7


@pytest.mark.parametrize("slug", ["zhangjiajie", "jiaxing"])
def test_shipped_profiles_match_their_boundaries(slug):
    profile = load_profile(slug)
    shapes = {s.adcode: s for s in profile.shapes()}
    assert set(shapes) == {d.adcode for d in profile.districts}
    assert sum(d.population for d in profile.districts) == profile.population
    for district in profile.districts:
        lat, lng = shapes[district.adcode].centre
        assert shapely.contains_xy(shapes[district.adcode].geometry, lng, lat)


def test_shipped_boundaries_are_wgs84_conversions_of_the_datav_files():
    source = json.loads((SHARED / "data/real/geojson/430800_full.json").read_text())
    first = source["features"][0]["geometry"]["coordinates"][0][0][0]
    ours = load_district_shapes(str(load_profile("430800").boundaries_path))[0]
    expected = gcj02_to_wgs84(*first)
    x, y = ours.geometry.geoms[0].exterior.coords[0]
    assert abs(x - expected[0]) < 1e-5 and abs(y - expected[1]) < 1e-5


def test_profile_found_by_adcode_or_slug_and_unknown_refused():
    from portal.config import ConfigError

    assert load_profile("430800") is load_profile("430800")
    assert {"zhangjiajie", "jiaxing"} <= set(available_profiles())
    with pytest.raises(ConfigError, match="available"):
        load_profile("atlantis")


def test_district_of_finds_the_district_of_a_point():
    from portal.geo import district_of

    shapes = load_profile("430800").shapes()
    lat, lng = shapes[1].centre
    assert district_of(shapes, lat, lng) == shapes[1].adcode
    assert district_of(shapes, 39.9, 116.4) is None  # Beijing
