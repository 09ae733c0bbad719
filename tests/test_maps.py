"""The business map: local assets only, compact payload, and clusters drawn offline."""
import re

from portal.maps import CLASSES, business_map, ensure_assets
from helpers.pages import open_page, texts


def _rows(n):
    return [(29.1 + i * 1e-5, 110.4, CLASSES[i % len(CLASSES)][0], i % 3, i, i % 9 - 1)
            for i in range(n)]


def test_map_uses_only_the_portals_own_assets():
    html = business_map(_rows(10), ["餐馆", "超市", "学校食堂"], (29.2, 110.6), 9,
                        tiles=None).get_root().render()
    urls = set(re.findall(r'(?:src|href)="([^"]+)"', html))
    assert urls and all(u.startswith("/app/static/vendor/") for u in urls)
    assert "cdn" not in html and "jquery" not in html.lower()


def test_map_payload_is_compact_and_has_every_point():
    html = business_map(_rows(20_000), ["餐馆"] * 3, (29.2, 110.6), 9, tiles=None).get_root().render()
    assert len(html.encode()) < 1_000_000
    data = re.search(r"var data = (\[.*?\]\]);", html, re.S).group(1)
    assert data.count("],") + 1 == 20_000


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


def test_layers_colours_and_district_view():
    import json

    from portal.maps import add_ring_layer, district_map
    from portal.registry.profiles import load_profile

    fmap = business_map(_rows(5), ["餐馆"] * 3, (29.2, 110.6), 9, tiles=None)
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
    from portal.maps import to_display_crs

    rows = [(29.12, 110.48, "良好", 0, 1, 2)]
    amap = business_map(rows, ["餐馆"], (29.2, 110.6), 9, tiles="amap").get_root().render()
    assert "autonavi" in amap
    lat, lng = to_display_crs("amap", 29.12, 110.48)
    assert 0.001 < abs(lng - 110.48) < 0.01  # shifted to GCJ-02 like the tiles
    assert f"[{lat}, {lng}, 1, 0, 1, 2]" in amap
    tdt = business_map(rows, ["餐馆"], (29.2, 110.6), 9, tiles="tianditu", key="k123").get_root().render()
    assert "tianditu.gov.cn" in tdt and "tk=k123" in tdt and "[29.12, 110.48, 1, 0, 1, 2]" in tdt


def test_tianditu_needs_a_key(tmp_path):
    import pytest

    from portal.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="PORTAL_TIANDITU_KEY"):
        load_settings({"PORTAL_VAR_DIR": str(tmp_path), "PORTAL_MAP_TILES": "tianditu"},
                      secrets_path=tmp_path / "x.toml")
