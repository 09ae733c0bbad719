"""Folium maps drawn from a cached rendering, shared by every visitor of the process.

`st_folium(fmap)` renders the whole folium map on every run: folium renders each element's
script and branca compiles each rendered script as a Jinja template, which cost about half of
a map page visit's server time (issue 17). What it sends to its component (the map's script,
header and HTML, the assets, the initial bounds) depends only on what the map was built from,
so `folium_map` renders a map once per key, with streamlit-folium's own functions (the
streamlit-folium version is pinned), and sends the same component arguments `st_folium` would.
Per visit only what changes without redrawing the map is added: the feature group (the 附近
point), the centre and the zoom.
"""
from __future__ import annotations

from typing import Callable

import folium
import streamlit as st
import streamlit_folium as sf

from portal import i18n


# What the component can return, in streamlit-folium's order (its initial values are None but
# for the bounds and the zoom, which come from the map).
RETURNED = ("last_clicked", "last_object_clicked", "last_object_clicked_count",
            "last_object_clicked_tooltip", "last_object_clicked_popup", "all_drawings",
            "last_active_drawing", "bounds", "zoom", "last_circle_radius", "last_circle_polygon",
            "selected_layers", "selected_tags", "last_geocoder_result")


def _render(fmap: folium.Map, key: str | None) -> dict:
    """What st_folium(fmap, key=key) computes from the map (streamlit-folium 0.27.4)."""
    fmap.get_root().render()
    fmap.render()
    html, header = sf._get_html(fmap), sf._get_header(fmap)
    leaflet = sf._get_map_string(fmap)
    try:
        (south, west), (north, east) = fmap.get_bounds()
    except AttributeError:
        south = west = north = east = None
    css: list[str] = []
    js: list[str] = []
    for element in _assets(fmap):
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    return {"script": leaflet, "header": header, "html": html, "id": sf.get_full_id(fmap),
            "hash_key": sf.generate_js_hash(leaflet, key, False),
            "bounds": {"_southWest": {"lat": south, "lng": west},
                       "_northEast": {"lat": north, "lng": east}},
            "zoom": fmap.options.get("zoom"),
            "css_links": list(dict.fromkeys(css)), "js_links": list(dict.fromkeys(js))}


def _assets(element):
    if isinstance(element, folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _assets(child)


@st.cache_data(max_entries=200, show_spinner=False)
def _rendered(cache_key: tuple, language: str, key: str | None, _build: Callable[[], folium.Map]) -> dict:
    return _render(_build(), key)


def folium_map(cache_key: tuple, build: Callable[[], folium.Map], *, key: str, height: int,
               returned_objects: list[str], feature_group: folium.FeatureGroup | None = None,
               center: tuple[float, float] | None = None, zoom: int | None = None):
    """st_folium(build(), key=key, height=height, use_container_width=True, ...), with the
    map rendered once per cache_key: cache_key must hold everything build() draws from (the
    visitor's language is added here). Returns what st_folium returns."""
    rendered = _rendered(cache_key, i18n.current(), key, build)
    defaults = {name: rendered.get(name) for name in RETURNED if name in returned_objects}
    group = None
    if feature_group is not None:
        # Added to a map of its own: streamlit-folium writes the map's name as "map_div".
        holder = folium.Map(tiles=None)
        group = sf._get_feature_group_string(feature_group, map=holder, idx=0)
    hash_key = rendered["hash_key"]

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    return sf._component_func(
        script=rendered["script"], header=rendered["header"], html=rendered["html"],
        id=rendered["id"], key=hash_key, height=height, width=None,
        returned_objects=returned_objects, default=defaults, zoom=zoom, center=center,
        feature_group=group, return_on_hover=False, layer_control=None, pixelated=False,
        css_links=rendered["css_links"], js_links=rendered["js_links"], on_change=on_change,
        wrap_longitude=False)
