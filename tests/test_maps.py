"""The business map: local assets only, compact payload, and clusters drawn offline."""
import re

from portal.maps import CLASSES, business_map, ensure_assets
from test_pages import app_env, open_page, texts  # noqa: F401


def _rows(n):
    return [(29.1 + i * 1e-5, 110.4, CLASSES[i % len(CLASSES)][0], i % 3, i) for i in range(n)]


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
