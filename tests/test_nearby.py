"""附近: distances, the nearest businesses, a typed place, and what a browser may send back."""
from datetime import date

import pytest

from portal.ratings.nearby import distance_m, nearby, nearest_ids, point_from_client
from portal.registry.places import find_place


def test_distance_is_the_great_circle_distance():
    # One degree of latitude is about 111.2 km anywhere; a degree of longitude shrinks with it.
    assert distance_m(29.0, 110.0, 30.0, 110.0) == pytest.approx(111_195, rel=1e-3)
    assert distance_m(29.0, 110.0, 29.0, 111.0) == pytest.approx(111_195 * 0.8746, rel=1e-3)
    assert distance_m(29.1, 110.4, 29.1, 110.4) == 0


def test_nearest_are_sorted_by_distance_and_limited():
    points = [(29.10, 110.40, "优秀", 0, 1, 0), (29.20, 110.40, "良好", 0, 2, 0),
              (29.101, 110.40, "一般", 0, 3, 0), (29.50, 110.40, "非餐饮", 0, 4, 0)]
    found = nearest_ids(points, 29.1005, 110.40, limit=3)
    assert [business_id for business_id, _ in found] == [1, 3, 2]
    assert found[0][1] == pytest.approx(55.6, abs=1)


@pytest.mark.parametrize("value", [None, "29,110", {"lat": "x", "lng": 1}, {"lat": 29},
                                   {"lat": float("nan"), "lng": 110}, {"lat": 91, "lng": 110},
                                   {"lat": 29, "lng": 1e308 * 10}, [29, 110]])
def test_a_hostile_point_from_the_browser_is_ignored(value):
    assert point_from_client(value) is None


def test_a_point_from_the_browser_is_read():
    assert point_from_client({"lat": 29.1, "lng": "110.5"}) == (29.1, 110.5)


def test_typed_places_and_the_list_from_the_database(portal):
    from portal.db import Database  # noqa: F401  (the fixture's portal owns the database)
    from portal.ratings.queries import MapFilter, map_points
    from portal.registry.models import Business, District

    adcode = portal.profile.adcode
    district = portal.profile.districts[0].adcode
    with portal.db.write() as session:
        session.add_all([
            Business(name="人民路米粉店", sector="catering", business_type="小吃店", address="永定区人民路1号",
                     district_adcode=district, lat=29.120, lng=110.480),
            Business(name="解放超市", sector="retail", business_type="超市", address="永定区人民路9号",
                     district_adcode=district, lat=29.122, lng=110.482),
            Business(name="远处饭店", sector="catering", business_type="餐馆", address="永定区远郊路5号",
                     district_adcode=district, lat=29.300, lng=110.700),
        ])
    with portal.db.read() as session:
        road = find_place(session, adcode, "人民路")
        named = find_place(session, adcode, "远处")
        area = find_place(session, adcode, portal.profile.districts[0].name, portal.profile.shapes())
        nowhere = find_place(session, adcode, "不存在的地方%_")
        blank = find_place(session, adcode, "   ")
        points, _ = map_points(session, adcode, date(2026, 11, 30), MapFilter())
        items = nearby(session, points, road.lat, road.lng, date(2026, 11, 30), limit=2)
    assert (road.kind, road.matches) == ("business", 1)          # a name contains it first
    assert named.kind == "business" and named.label == "远处饭店"
    assert area.kind == "district"
    assert nowhere is None and blank is None
    assert [i.business.name for i in items] == ["人民路米粉店", "解放超市"]
    assert items[0].rating is not None and items[1].rating is None   # a shop is not graded
    assert items[0].metres < items[1].metres < 400
