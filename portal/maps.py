"""Folium maps that draw with no internet.

Leaflet and its cluster plugin are served by the portal itself (static/vendor, copied from
the pinned XStatic packages); folium's other default assets (jQuery, Bootstrap, Font
Awesome, awesome-markers) are dropped. The businesses are not written into the map: the map
fetches them (FetchedPoints, from portal.map_feed's route) and one small function draws a pin
per row; each row carries only its position, class, type, id and months since the last
inspection, and the popup links to the business page, where the details are.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import folium
import xyzservices
import xyzservices.providers
from folium.plugins import FastMarkerCluster, LocateControl, MarkerCluster
from folium.template import Template

from portal.config import PROJECT_ROOT
from portal.i18n import N_
from portal.geo import gcj02_to_wgs84, wgs84_to_gcj02
from portal.numbers import plain

STATIC_DIR = PROJECT_ROOT / "static"
VENDOR = STATIC_DIR / "vendor"
URL = "/app/static/vendor"
LEAFLET_JS = [("leaflet", f"{URL}/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{URL}/leaflet/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", f"{URL}/markercluster/leaflet.markercluster.js")]
LOCATE_JS = [("locatecontrol", "/app/static/locatecontrol/L.Control.Locate.min.js")]
LOCATE_CSS = [("locatecontrol_css", "/app/static/locatecontrol/L.Control.Locate.min.css")]
CLUSTER_CSS = [("markerclustercss", f"{URL}/markercluster/MarkerCluster.css"),
               ("markerclusterdefaultcss", f"{URL}/markercluster/MarkerCluster.Default.css")]

# Map classes: colour and the words shown with it (colour is never the only carrier).
CLASSES = [("优秀", "#15803d", N_("动态等级优秀（大笑）")), ("良好", "#2563eb", N_("动态等级良好（微笑）")),
           ("一般", "#c2410c", N_("动态等级一般（平脸）")), ("暂不评级", "#6b7280", N_("暂不评级或未评级")),
           ("非餐饮", "#7c3aed", N_("食品销售、生产单位（不参加量化分级）"))]
# The words inside map popups, in Chinese; pages pass them through t() (see popup_words).
POPUP_WORDS = {"last": N_("最近检查："), "this_month": N_("本月"), "months_ago": N_("{n} 个月前"),
               "stale": N_("（已超过 6 个月）"), "open": N_("查看名称、等级和抽检记录"),
               "open_ring": N_("查看这家单位"), "loading": N_("正在加载地图上的单位…"),
               "failed": N_("地图上的单位没有加载出来，请刷新页面再试。")}


def popup_words(translate=lambda text: text) -> dict[str, str]:
    return {key: translate(text) for key, text in POPUP_WORDS.items()}
CLASS_INDEX = {name: i for i, (name, _, _) in enumerate(CLASSES)}
# The character inside each map pin: readers who cannot tell the colours apart read the
# class instead (white on the pin's colour, at least 4.5:1).
PIN_LETTERS = {"优秀": "优", "良好": "良", "一般": "一", "暂不评级": "暂", "非餐饮": "非"}
PIN_CSS = "".join(
    [".fs-pin{border-radius:50%;border:1px solid #fff;color:#fff;font:bold 11px/18px sans-serif;"
     "text-align:center;box-shadow:0 0 2px rgba(0,0,0,.6)}",
     ".fs-status{background:#fff;color:#1f2933;padding:2px 8px;border-radius:4px;font:13px sans-serif;"
     "box-shadow:0 0 2px rgba(0,0,0,.4)}"]
    + [f".fs-c{i}{{background:{colour}}}" for i, (_, colour, _) in enumerate(CLASSES)])
# The nearest of Streamlit's named text colours, for the legend beside the map.
LEGEND_COLOURS = {"优秀": "green", "良好": "blue", "一般": "orange", "暂不评级": "gray",
                  "非餐饮": "violet"}

# Links in popups open a page of the portal in the same tab. The map is drawn inside a
# component frame whose sandbox has no allow-top-navigation, so a plain `target=_top` link is
# refused; the frame is same-origin, so the link asks the portal page (its parent) to create
# and click an anchor there instead. The href is absolute, so "open in new tab" works too.
# Declared inside each layer's script: streamlit-folium drops the map's header scripts.
# pageAddress(): the portal page's address, which the portal's paths are relative to.
PAGE_ADDRESS_JS = """function pageAddress() {
    try { return window.parent.location.href; } catch (e) { return document.baseURI; }
}"""
PORTAL_LINK_JS = """function fsPortalLink(path, text) {
    var link = document.createElement("a");
    link.href = new URL(path, pageAddress()).href;
    link.textContent = text;
    link.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey) { return; }
        try {
            var doc = window.parent.document;
            var anchor = doc.createElement("a");
            anchor.href = link.href;
            anchor.style.display = "none";
            doc.body.appendChild(anchor);
            event.preventDefault();
            anchor.click();
            anchor.remove();
        } catch (e) { link.target = "_top"; }
    });
    return link;
}"""

# One pin per fetched row: its letters, labels, kinds and words are declared once in the
# loader's closure (POINTS_SCRIPT), not once per row.
PIN_JS = """function fsPin(row) {
    // A pin with the class's character, reachable with Tab and opened with Enter.
    var marker = L.marker(new L.LatLng(row[0], row[1]), {
        icon: L.divIcon({className: "fs-pin fs-c" + row[2], html: letters[row[2]], iconSize: [20, 20]}),
        title: labels[row[2]], alt: labels[row[2]], keyboard: true});
    var box = document.createElement("div");
    var kind = document.createElement("div");
    kind.textContent = kinds[row[3]] + "：" + labels[row[2]];
    var seen = document.createElement("div");
    seen.textContent = row[5] < 0 ? "" : words.last + (row[5] == 0 ? words.this_month
        : words.months_ago.replace("{n}", row[5])) + (row[5] > 6 ? words.stale : "");
    var link = fsPortalLink("business?id=" + row[4] + linkQuery, words.open);
    // The name is fetched from the open-data API when the popup opens: 20,000 names written
    // into the points would make them several times larger. textContent: a name is never markup.
    var name = document.createElement("strong");
    box.appendChild(name);
    box.appendChild(kind);
    box.appendChild(seen);
    box.appendChild(link);
    marker.bindPopup(box);
    marker.on("popupopen", function () {
        if (name.textContent) { return; }
        fetch(new URL("api/v1/businesses/" + row[4], pageAddress()).href)
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (b) { if (b) { name.textContent = b.name; } })
            .catch(function () {});
    });
    return marker;
}"""


def ensure_assets() -> Path:
    """Copy Leaflet and the cluster plugin from their packages into static/vendor (once)."""
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as cluster

    for name, source in (("leaflet", Path(leaflet.BASE_DIR)),
                         ("markercluster", Path(cluster.BASE_DIR))):
        target = VENDOR / name
        if not (target / ".complete").exists():
            shutil.copytree(source, target, dirs_exist_ok=True)
            (target / ".complete").write_text("")
    return VENDOR


TIANDITU = ("https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
            "&TILECOL={x}&tk=%s")
AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"


def _add_tiles(fmap: folium.Map, provider: str | None, key: str = "") -> None:
    """OpenStreetMap, 天地图 (vector + Chinese labels; CGCS2000, close enough to WGS-84 for
    this scale), 高德 (GCJ-02), or none."""
    # Tile providers are given as TileProvider objects: given a name or URL string, folium
    # searches every xyzservices provider for it, a tenth of a business page visit's time.
    if provider == "OpenStreetMap":
        folium.TileLayer(xyzservices.providers.OpenStreetMap.Mapnik, name="OpenStreetMap").add_to(fmap)
    elif provider == "tianditu":
        for layer in ("vec", "cva"):
            tiles = xyzservices.TileProvider(name=f"天地图 {layer}", url=TIANDITU % (layer, layer, key),
                                             attribution="天地图 GS(2024)0650号", subdomains="01234567")
            folium.TileLayer(tiles, name=f"天地图 {layer}", overlay=layer == "cva").add_to(fmap)
    elif provider == "amap":
        tiles = xyzservices.TileProvider(name="高德地图", url=AMAP, attribution="高德地图", subdomains="1234")
        folium.TileLayer(tiles, name="高德地图").add_to(fmap)


def to_display_crs(provider: str | None, lat: float, lng: float) -> tuple[float, float]:
    """WGS-84 as stored -> what the tiles use (GCJ-02 for 高德)."""
    if provider != "amap":
        return lat, lng
    glng, glat = wgs84_to_gcj02(lng, lat)
    return glat, glng


def from_display_crs(provider: str | None, lat: float, lng: float) -> tuple[float, float]:
    """A point clicked on the map -> WGS-84 as stored."""
    if provider != "amap":
        return lat, lng
    wlng, wlat = gcj02_to_wgs84(lng, lat)
    return wlat, wlng


def _shift_geometry(coords):
    if coords and isinstance(coords[0], (int, float)):
        lng, lat = wgs84_to_gcj02(coords[0], coords[1])
        return [lng, lat]
    return [_shift_geometry(c) for c in coords]


def boundaries_for(provider: str | None, boundaries: dict | None) -> dict | None:
    if provider != "amap" or not boundaries:
        return boundaries
    return {**boundaries, "features": [
        {**f, "geometry": {**f["geometry"], "coordinates": _shift_geometry(f["geometry"]["coordinates"])}}
        for f in boundaries["features"]]}


class _FocusWithoutScrolling(folium.MacroElement):
    """Leaflet focuses the map on every mousedown (for its keyboard controls). Inside the
    page's component frame, that focus scrolls the portal page to show the whole map when it
    is partly off screen, so the button under the finger moves away before the click ends and
    the tap is lost (measured: a tap on 附近 became a click on the map 336 px lower)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            (function (container) {
                var focus = container.focus;
                container.focus = function () { focus.call(container, {preventScroll: true}); };
            })({{ this._parent.get_name() }}.getContainer());
        {% endmacro %}
    """)


BOUNDARIES_DIR = STATIC_DIR / "boundaries"
BOUNDARY_STYLE = {"color": "#334155", "weight": 1.5, "fillColor": "#e2e8f0", "fillOpacity": 0.25}


def boundaries_url(source: Path, provider: str | None) -> str:
    """The district boundaries as a static file the map fetches (in the tiles' coordinates),
    written once from the profile's GeoJSON. Inline, the 35 KB of coordinates went to every
    visitor on every visit, and folium compiled them as a template each time (a fifth of the
    map page's server time)."""
    target = BOUNDARIES_DIR / (f"{source.stem}.gcj02.geojson" if provider == "amap" else source.name)
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        data = boundaries_for(provider, json.loads(source.read_text(encoding="utf-8")))
        BOUNDARIES_DIR.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.part")
        partial.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(partial, target)      # another process may be writing the same file
    return f"/app/static/boundaries/{target.name}"


class _Boundaries(folium.MacroElement):
    """The districts' outlines and names, fetched from the portal's static file; drawn even
    when no tile server is reachable, so the reader still has a map. Names are text."""
    _template = Template("""
        {% macro script(this, kwargs) %}
        fetch({{ this.url|tojson }})
            .then(function (r) { return r.json(); })
            .then(function (data) {
                L.geoJSON(data, {style: {{ this.style|tojson }}, onEachFeature: function (f, layer) {
                    var name = document.createElement("span");
                    name.textContent = f.properties.name;
                    layer.bindTooltip(name, {sticky: true});
                }}).addTo({{ this._parent.get_name() }});
            })
            .catch(function () {});
        {% endmacro %}
    """)

    def __init__(self, url: str):
        super().__init__()
        self._name = "DistrictBoundaries"
        self.url, self.style = url, BOUNDARY_STYLE


def base_map(centre: tuple[float, float], zoom: int, tiles: str | None = "OpenStreetMap",
             boundaries: Path | None = None, key: str = "") -> folium.Map:
    """boundaries: the profile's district GeoJSON file (drawn from a static copy)."""
    fmap = folium.Map(location=to_display_crs(tiles, *centre), zoom_start=zoom, tiles=None,
                      control_scale=True, prefer_canvas=True)
    fmap.default_js, fmap.default_css = LEAFLET_JS, LEAFLET_CSS
    _FocusWithoutScrolling().add_to(fmap)
    _add_tiles(fmap, tiles, key)
    if boundaries is not None:
        _Boundaries(boundaries_url(boundaries, tiles)).add_to(fmap)
    return fmap


def _link_query(link_query: str) -> str:
    """The extra query of popup links (e.g. "&lang=en") as a JavaScript string: only
    parameters the portal sets, never the visitor's text."""
    if link_query and not all(ch.isalnum() or ch in "&=_" for ch in link_query):
        raise ValueError(f"unexpected link query {link_query!r}")
    return json.dumps(link_query)


def location_map(lat: float, lng: float, tiles: str | None, key: str = "",
                 zoom: int = 16) -> folium.Map:
    """A small street map of one place with one marker (no name written into the map). The
    marker is drawn, not an image: Leaflet finds its default marker image through its CSS,
    which may not have loaded yet when the map's script runs."""
    fmap = base_map((lat, lng), zoom, tiles, key=key)
    folium.CircleMarker(to_display_crs(tiles, lat, lng), radius=11, color="#ffffff", weight=3,
                        fill=True, fill_color="#b91c1c", fill_opacity=1).add_to(fmap)
    return fmap


def _js(value) -> str:
    """A value as JavaScript inside a <script>: JSON with <, > and & escaped, so that no text
    (kinds come from imported files) can end the script."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


class FetchedPoints(MarkerCluster):
    """The businesses' pins, fetched from the portal once the map has drawn
    (/api/v1/map-points, portal.map_feed), so that the map the page sends carries none of them.
    The address is resolved against the portal page's own address (the map runs in a
    same-origin component frame), as the popups' links are. A line at the map's foot says
    the pins are loading, and says so if they could not be loaded (after one retry)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                {{ this.script }}
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                cluster.addTo({{ this._parent.get_name() }});
                var status = L.control({position: "bottomleft"});
                status.onAdd = function () {
                    var box = L.DomUtil.create("div", "fs-status");
                    box.setAttribute("role", "status");
                    box.textContent = words.loading;
                    return box;
                };
                status.addTo({{ this._parent.get_name() }});
                function load(attempt) {
                    fetch(new URL(pointsPath, pageAddress()).href)
                        .then(function (r) {
                            if (!r.ok) { throw new Error("HTTP " + r.status); }
                            return r.json();
                        })
                        .then(function (body) {
                            kinds = body.meta.kinds.map(function (k) { return kindNames[k] || k; });
                            cluster.addLayers(body.data.map(fsPin));
                            status.remove();
                        })
                        .catch(function () {
                            if (attempt < 1) { setTimeout(function () { load(attempt + 1); }, 3000); return; }
                            status.getContainer().textContent = words.failed;
                        });
                }
                load(0);
                return cluster;
            })();
        {% endmacro %}""")
    default_js, default_css = CLUSTER_JS, CLUSTER_CSS

    def __init__(self, path: str, kind_names: dict[str, str], words: dict, labels: list[str],
                 link_query: str = "", name: str = "经营主体"):
        super().__init__(name=name, options={"maxClusterRadius": 50, "chunkedLoading": True})
        self._name = "FetchedPoints"
        self.script = "\n".join([
            f"var pointsPath = {_js(path)}, kindNames = {_js(kind_names)}, kinds = [];",
            f"var letters = {_js([PIN_LETTERS[name] for name, _, _ in CLASSES])}, labels = {_js(labels)};",
            f"var words = {_js(words)}, linkQuery = {_link_query(link_query)};",
            PAGE_ADDRESS_JS, PORTAL_LINK_JS, PIN_JS])


def add_points(fmap: folium.Map, path: str, kind_names: dict[str, str] | None = None,
               words: dict | None = None, labels: list[str] | None = None,
               link_query: str = "") -> FetchedPoints:
    """path: where the points are fetched, relative to the portal page (portal.map_feed.address);
    kind_names: the business types in the visitor's language (others show in Chinese);
    words, labels: the popup's words and the class labels in the visitor's language;
    link_query: appended to the business links (the language)."""
    points = FetchedPoints(path, kind_names or {}, words or popup_words(),
                           labels or [label for _, _, label in CLASSES], link_query)
    points.add_to(fmap)
    fmap.get_root().header.add_child(folium.Element(f"<style>{PIN_CSS}</style>"))
    return points


def business_map(path: str, kind_names: dict[str, str] | None, centre, zoom: int,
                 boundaries: Path | None = None, tiles: str | None = "OpenStreetMap",
                 key: str = "", words: dict | None = None,
                 labels: list[str] | None = None, link_query: str = "") -> folium.Map:
    """The map of businesses; its points are fetched from `path` (portal.map_feed.address,
    in the coordinates the tiles use: map_feed.crs_for(tiles))."""
    fmap = base_map(centre, zoom, tiles, boundaries, key)
    add_points(fmap, path, kind_names, words, labels, link_query)
    return fmap


LAYER_CALLBACK = """function (row) {
    %(link_fn)s
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: 9, color: "%(colour)s", weight: 3, fillOpacity: 0});
    var box = document.createElement("div");
    var text = document.createElement("div");
    text.textContent = %(text)s;
    var link = fsPortalLink("business?id=" + row[2] + %(query)s, %(open)s);
    box.appendChild(text);
    box.appendChild(link);
    marker.bindPopup(box);
    return marker;
}"""


def add_ring_layer(fmap: folium.Map, rows: list[tuple], name: str, colour: str,
                   text_js: str, tiles: str | None = None,
                   open_text: str = POPUP_WORDS["open_ring"], link_query: str = "") -> FastMarkerCluster:
    """An extra, switchable layer of rings: rows (lat, lng, business id[, extra]);
    text_js is a JavaScript expression over `row` for the popup line."""
    cluster = FastMarkerCluster([], callback=LAYER_CALLBACK % {
        "colour": colour, "text": text_js, "open": json.dumps(open_text),
        "query": _link_query(link_query), "link_fn": PAGE_ADDRESS_JS + PORTAL_LINK_JS},
                                name=name, options={"maxClusterRadius": 30})
    cluster.data = [[*to_display_crs(tiles, row[0], row[1]), *row[2:]] for row in rows]
    cluster.default_js, cluster.default_css = CLUSTER_JS, CLUSTER_CSS
    cluster.add_to(fmap)
    return cluster


ROOM_CALLBACK = """function (row) {
    %(link_fn)s
    // A testing room (快检室): a square pin with 检, its name, address and hours in the popup
    // (textContent: they are data an official typed, never markup) and a link to book.
    var marker = L.marker(new L.LatLng(row[0], row[1]), {
        icon: L.divIcon({className: "fs-room", html: "检", iconSize: [22, 22]}),
        title: row[3], alt: row[3], keyboard: true});
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = row[3];
    var address = document.createElement("div");
    address.textContent = row[4];
    var hours = document.createElement("div");
    hours.textContent = row[5];
    box.appendChild(name);
    box.appendChild(address);
    box.appendChild(hours);
    box.appendChild(fsPortalLink("test_rooms?room=" + row[2] + %(query)s, %(open)s));
    marker.bindPopup(box);
    return marker;
}"""
ROOM_CSS = (".fs-room{background:#0f766e;color:#fff;border:1px solid #fff;border-radius:4px;"
            "font:bold 13px/22px sans-serif;text-align:center;box-shadow:0 0 2px rgba(0,0,0,.6)}")


def add_room_layer(fmap: folium.Map, rows: list[tuple], name: str, open_text: str,
                   tiles: str | None = None, link_query: str = "") -> FastMarkerCluster:
    """The testing rooms (快检室) as their own switchable layer: rows (lat, lng, room id, name,
    address, hours), a teal square pin marked 检 each, the popup linking to the room's page."""
    cluster = FastMarkerCluster([], callback=ROOM_CALLBACK % {
        "open": json.dumps(open_text), "query": _link_query(link_query),
        "link_fn": PAGE_ADDRESS_JS + PORTAL_LINK_JS}, name=name, options={"maxClusterRadius": 20})
    cluster.data = [[*to_display_crs(tiles, row[0], row[1]), *row[2:]] for row in rows]
    cluster.default_js, cluster.default_css = CLUSTER_JS, CLUSTER_CSS
    cluster.add_to(fmap)
    fmap.get_root().header.add_child(folium.Element(f"<style>{ROOM_CSS}</style>"))
    return cluster


def district_map(boundaries: dict, values: dict[str, float], figure_label: str, centre,
                 zoom: int, tiles: str | None = "OpenStreetMap", key: str = "") -> folium.Map:
    """Districts shaded by a figure: five steps of one hue, darker is higher, with the value
    in each district's tooltip (the page shows the same numbers as a table)."""
    shades = ["#eff6ff", "#bfdbfe", "#60a5fa", "#2563eb", "#1e3a8a"]
    top = max(values.values(), default=0) or 1
    features = []
    for feature in boundaries["features"]:
        adcode = str(feature["properties"]["adcode"])
        value = values.get(adcode, 0)
        features.append({**feature, "properties": {
            **feature["properties"], "value": f"{figure_label}：{plain(value)}",
            "shade": shades[min(4, int(4 * value / top + 0.5))]}})
    fmap = folium.Map(location=to_display_crs(tiles, *centre), zoom_start=zoom, tiles=None,
                      control_scale=True)
    fmap.default_js, fmap.default_css = LEAFLET_JS, LEAFLET_CSS
    _add_tiles(fmap, tiles, key)
    folium.GeoJson(boundaries_for(tiles, {"type": "FeatureCollection", "features": features}), name=figure_label,
                   style_function=lambda f: {"color": "#334155", "weight": 1.5,
                                             "fillColor": f["properties"]["shade"],
                                             "fillOpacity": 0.8},
                   tooltip=folium.GeoJsonTooltip(fields=["name", "value"], labels=False)).add_to(fmap)
    return fmap


class NearMeControl(LocateControl):
    """The 附近 button: Leaflet.Locate, served by the portal (static/locatecontrol). A found
    position is handed to the page as a click on the map at that point, which the page asks
    streamlit-folium to return (`last_clicked`): a tap on the map means "near here" too.
    Browsers give a position only to secure origins (HTTPS, or localhost)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }}_options = {{ this.options | tojson }};
            {{ this.get_name() }}_options.onLocationError = function () {
                alert({{ this.error_text | tojson }});
            };
            var {{ this.get_name() }} = L.control.locate({{ this.get_name() }}_options)
                .addTo({{ this._parent.get_name() }});
            {{ this._parent.get_name() }}.on("locationfound", function (e) {
                {{ this._parent.get_name() }}.fire("click", {latlng: e.latlng});
            });
        {% endmacro %}
    """)
    default_js = LOCATE_JS
    default_css = LOCATE_CSS

    def __init__(self, title: str, text: str, error_text: str):
        super().__init__(position="topleft", flyTo=False, initialZoomLevel=16, showPopup=False,
                         strings={"title": title, "text": text},
                         locateOptions={"watch": False, "enableHighAccuracy": True, "maxZoom": 16})
        self.error_text = error_text


def here_marker(here: tuple | None, tiles: str | None, label: str) -> folium.FeatureGroup | None:
    """The point the 附近 list is measured from, as a layer streamlit-folium adds to the
    drawn map without drawing it again (the visitor's zoom and position stay)."""
    if not here:
        return None
    group = folium.FeatureGroup(name=label)
    folium.CircleMarker(to_display_crs(tiles, here[0], here[1]), radius=11, color="#1d4e89", weight=4,
                        fill=True, fill_color="#ffffff", fill_opacity=0.6, tooltip=label).add_to(group)
    return group
