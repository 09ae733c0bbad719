"""The business map: local assets only, points fetched (not sent with the page), and clusters
drawn offline."""
import json
import re

from portal.maps import CLASSES, business_map, ensure_assets
from helpers.pages import open_page, texts


PATH = "api/v1/map-points?crs=wgs84"


def test_map_uses_only_the_portals_own_assets():
    html = business_map(PATH, {"餐馆": "餐馆"}, (29.2, 110.6), 9, tiles=None).get_root().render()
    urls = set(re.findall(r'(?:src|href)="([^"]+)"', html))
    assert urls and all(u.startswith("/app/static/vendor/") for u in urls)
    assert "cdn" not in html and "jquery" not in html.lower()


def test_map_fetches_its_points_and_carries_none():
    """The map holds the address of its points, relative to the portal page, and draws each
    fetched row with the pin function; no row is written into it."""
    html = business_map(PATH, {"餐馆": "Restaurant"}, (29.2, 110.6), 9, tiles=None).get_root().render()
    assert 'var pointsPath = "api/v1/map-points?crs=wgs84"' in html
    assert "new URL(pointsPath, pageAddress())" in html and "body.data.map(fsPin)" in html
    assert '{"餐馆": "Restaurant"}' in html
    assert "var data" not in html and len(html.encode()) < 20_000


def test_text_written_into_the_map_cannot_end_its_script():
    html = business_map(PATH, {"</script><script>alert(1)//": "x"}, (29.2, 110.6), 9,
                        tiles=None).get_root().render()
    assert "</script><script>alert" not in html and "\\u003c/script\\u003e" in html


def test_assets_are_copied_from_the_packages():
    vendor = ensure_assets()
    assert (vendor / "leaflet" / "leaflet.js").is_file()
    assert (vendor / "markercluster" / "leaflet.markercluster.js").is_file()


def test_map_page_opens_and_filters(app_env):
    at = open_page("pages/map.py")
    assert not at.exception
    assert "地图上共 **600** 家" in texts(at)
    at.toggle[0].set_value(True).run()
    count = int(re.search(r"地图上共 \*\*(\d+)\*\* 家", texts(at)).group(1))
    assert 0 < count < 100


def _map_sizes(at) -> list[int]:
    """Bytes of each map element the page sent (what the websocket carries for it)."""
    return [len(element.proto.SerializeToString()) for element in at.get("component_instance")]


def test_what_a_visit_sends_does_not_grow_with_the_businesses(app_env):
    """Three times the businesses: the page sends the same map, and the count under it (read
    from the points' cache) follows the database at once."""
    import sqlite3

    at = open_page("pages/map.py")
    assert "地图上共 **600** 家" in texts(at)
    before = _map_sizes(at)
    with sqlite3.connect(app_env / "app.sqlite3") as conn:
        columns = ("name, sector, business_type, address, district_adcode, lat, lng, "
                   "location_approximate, is_demo, created_at, updated_at")
        conn.execute(f"INSERT INTO businesses ({columns}) SELECT {columns} FROM businesses")
        conn.execute(f"INSERT INTO businesses ({columns}) SELECT {columns} FROM businesses LIMIT 600")
        # An import's audit row changes the data version in the same transaction.
        assert conn.execute("UPDATE portal_meta SET value = 'imported' WHERE key = 'data_version'").rowcount == 1
    at.run()
    assert "地图上共 **1,800** 家" in texts(at)
    assert _map_sizes(at) == before and max(before) < 100_000


def test_layers_colours_and_district_view():
    import json

    from portal.maps import add_ring_layer, district_map
    from portal.registry.profiles import load_profile

    fmap = business_map(PATH, {}, (29.2, 110.6), 9, tiles=None)
    add_ring_layer(fmap, [(29.1, 110.4, 7, 2)], "抽检不合格单位", "#dc2626", '"x"')
    html = fmap.get_root().render()
    assert html.count("L.markerClusterGroup") == 2 and "#dc2626" in html
    assert all(colour in html for _, colour, _ in CLASSES)
    profile = load_profile("zhangjiajie")
    boundaries = json.loads(profile.boundaries_path.read_text(encoding="utf-8"))
    values = {d.adcode: float(i) for i, d in enumerate(profile.districts)}
    html = district_map(boundaries, values, "黑榜在列单位（家）", profile.centre, 9,
                        tiles=None).get_root().render()
    assert "#1e3a8a" in html and "#eff6ff" in html  # highest and lowest shades both used


def test_map_page_district_view_and_layers(app_env):
    at = open_page("pages/map.py")
    at.checkbox[0].check().run()
    at.checkbox[1].check().run()
    assert not at.exception
    at.button_group[0].set_value("区县对比").run()
    assert not at.exception
    table = at.table[0].value
    assert list(table.index) == ["永定区", "武陵源区", "慈利县", "桑植县"]
    at.selectbox[0].select("failed").run()
    assert not at.exception and at.table[0].value.iloc[:, 0].sum() >= 0


def test_tile_providers_and_gcj_shift_for_amap():
    from portal.map_feed import crs_for, encode
    from portal.maps import to_display_crs

    rows = [(29.12, 110.48, "良好", 0, 1, 2)]
    amap = business_map(PATH, {}, (29.2, 110.6), 9, tiles="amap").get_root().render()
    assert "autonavi" in amap and crs_for("amap") == "gcj02" and crs_for("OpenStreetMap") == "wgs84"
    lat, lng = to_display_crs("amap", 29.12, 110.48)
    assert 0.001 < abs(lng - 110.48) < 0.01  # shifted to GCJ-02 like the tiles
    shifted = json.loads(encode(rows, ["餐馆"], "gcj02", False))["data"]
    assert shifted == [[round(lat, 6), round(lng, 6), 1, 0, 1, 2]]
    assert json.loads(encode(rows, ["餐馆"], "wgs84", False))["data"] == [[29.12, 110.48, 1, 0, 1, 2]]
    tdt = business_map(PATH, {}, (29.2, 110.6), 9, tiles="tianditu", key="k123").get_root().render()
    assert "tianditu.gov.cn" in tdt and "tk=k123" in tdt


def test_tianditu_needs_a_key(tmp_path):
    import pytest

    from portal.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="PORTAL_TIANDITU_KEY"):
        load_settings({"PORTAL_VAR_DIR": str(tmp_path), "PORTAL_MAP_TILES": "tianditu"},
                      secrets_path=tmp_path / "x.toml")


def test_a_typed_place_lists_the_nearest_from_the_same_points(app_env):
    """附近 reads the map's cached points (as stored, WGS-84) once a point is chosen."""
    at = open_page("pages/map.py")
    at.text_input[0].input("永定区")
    at.button[0].click().run()
    assert not at.exception
    assert "离这里最近的单位" in [h.value for h in at.subheader]
    listed = [link for link in at.get("page_link") if "id=" in str(link.proto.query_string)]
    assert len(listed) == 10 and "这附近没有符合条件的单位" not in texts(at)


def test_a_place_that_is_not_found_says_so_and_keeps_the_map(app_env):
    """A typed place the registry does not know gets a hint, and the rest of the page is still
    drawn (the hint's {text} placeholder once crashed the page: t()'s own argument name)."""
    at = open_page("pages/map.py")
    at.text_input[0].input("火星大道")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert "没有找到“火星大道”" in "\n".join(w.value for w in at.warning)
    assert any(e.label.startswith("筛选") for e in at.expander)


def test_district_outlines_are_fetched_from_a_static_file_not_sent_with_each_map():
    import json

    from portal.maps import STATIC_DIR, base_map
    from portal.registry.profiles import load_profile

    profile = load_profile("zhangjiajie")
    source = json.loads(profile.boundaries_path.read_text(encoding="utf-8"))
    first = source["features"][0]["geometry"]["coordinates"]
    while isinstance(first[0], list):
        first = first[0]
    for tiles, shifted in (("OpenStreetMap", False), ("amap", True)):
        html = base_map(profile.centre, 9, tiles, profile.boundaries_path).get_root().render()
        assert str(first[0])[:8] not in html and len(html) < 20_000
        url = html.split('fetch("/app/static/')[1].split('"')[0]
        served = json.loads((STATIC_DIR / url).read_text(encoding="utf-8"))
        assert [f["properties"]["name"] for f in served["features"]] == \
            [f["properties"]["name"] for f in source["features"]]
        corner = served["features"][0]["geometry"]["coordinates"]
        while isinstance(corner[0], list):
            corner = corner[0]
        assert (corner != first) == shifted      # 高德 tiles: shifted to GCJ-02


def _component_args(monkeypatch, draw) -> dict:
    """The arguments streamlit-folium's component receives (but the map's random id)."""
    import streamlit_folium

    sent = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.append(kwargs))
    draw()
    args = dict(sent[-1])
    args.pop("id"), args.pop("on_change")
    return args


def test_a_cached_map_sends_what_st_folium_sends(monkeypatch):
    """portal.ui.folium_views renders a map once and sends the same component arguments as
    st_folium rendering it on every run, the 附近 point's layer, centre and zoom included."""
    import folium
    from streamlit_folium import st_folium

    from portal.maps import NearMeControl, add_ring_layer, here_marker, location_map
    from portal.ui.folium_views import folium_map

    def build():
        fmap = business_map(PATH, {"餐馆": "餐馆"}, (29.2, 110.6), 9, tiles="OpenStreetMap",
                            link_query="&lang=en")
        NearMeControl("附近的单位", "附近", "没有取得您的位置").add_to(fmap)
        add_ring_layer(fmap, [(29.1, 110.4, 5, "2")], "抽检不合格单位", "#dc2626", '"x"', "OpenStreetMap")
        folium.LayerControl(collapsed=False).add_to(fmap)
        return fmap

    here = (29.3, 110.5, "量起点")
    options = {"height": 520, "returned_objects": ["last_clicked"], "key": "business_map",
               "center": (29.3, 110.5), "zoom": 16}
    expected = _component_args(monkeypatch, lambda: st_folium(
        build(), use_container_width=True, feature_group_to_add=here_marker(here, "OpenStreetMap", "量起点"),
        **options))
    for _ in range(2):      # drawn, then from the cache
        assert _component_args(monkeypatch, lambda: folium_map(
            ("test", PATH), build, feature_group=here_marker(here, "OpenStreetMap", "量起点"),
            **options)) == expected
    small = _component_args(monkeypatch, lambda: st_folium(
        location_map(29.2, 110.6, "OpenStreetMap"), height=220, use_container_width=True,
        returned_objects=[], key="business_location"))
    assert _component_args(monkeypatch, lambda: folium_map(
        ("test-location",), lambda: location_map(29.2, 110.6, "OpenStreetMap"), height=220,
        returned_objects=[], key="business_location")) == small
