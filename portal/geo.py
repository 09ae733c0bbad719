"""Coordinates and districts.

Everything stored is WGS-84. Chinese web maps (DataV boundaries, 高德) use GCJ-02, an
obfuscated offset of up to a few hundred metres; gcj02_to_wgs84 undoes it by iterating the
published forward transform, which is accurate to well under a metre inside China.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

_A = 6378245.0                 # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323   # its eccentricity squared


def _out_of_china(lng: float, lat: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3)
    dlng = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlng, dlat


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lng, lat):
        return lng, lat
    dlng, dlat = _delta(lng, lat)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lng, lat):
        return lng, lat
    wlng, wlat = lng, lat
    for _ in range(10):
        glng, glat = wgs84_to_gcj02(wlng, wlat)
        dlng, dlat = glng - lng, glat - lat
        wlng, wlat = wlng - dlng, wlat - dlat
        if abs(dlng) < 1e-9 and abs(dlat) < 1e-9:
            break
    return wlng, wlat


def _convert_rings(coords, digits: int):
    if coords and isinstance(coords[0], (int, float)):
        lng, lat = gcj02_to_wgs84(coords[0], coords[1])
        return [round(lng, digits), round(lat, digits)]
    return [_convert_rings(c, digits) for c in coords]


def convert_datav_boundaries(src: Path, dest: Path, provenance: str, digits: int = 6) -> int:
    """Copy a DataV `*_full.json` (GCJ-02) to a slim WGS-84 GeoJSON; returns features written."""
    source = json.loads(Path(src).read_text(encoding="utf-8"))
    features = []
    for feature in source["features"]:
        props = feature["properties"]
        geometry = feature["geometry"]
        features.append({
            "type": "Feature",
            "properties": {"adcode": str(props["adcode"]), "name": props["name"]},
            "geometry": {"type": geometry["type"],
                         "coordinates": _convert_rings(geometry["coordinates"], digits)},
        })
    out = {"type": "FeatureCollection", "crs_note": "WGS-84 (converted from GCJ-02)",
           "provenance": provenance, "features": features}
    Path(dest).write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")
    return len(features)


@dataclass(frozen=True)
class DistrictShape:
    adcode: str
    name: str
    geometry: shapely.Geometry

    @property
    def centre(self) -> tuple[float, float]:
        """(lat, lng) of a point guaranteed inside the district (not just the centroid)."""
        point = self.geometry.point_on_surface()
        return point.y, point.x


@lru_cache(maxsize=16)
def load_district_shapes(path: str) -> tuple[DistrictShape, ...]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    shapes = []
    for feature in data["features"]:
        geometry = shape(feature["geometry"])
        shapely.prepare(geometry)
        shapes.append(DistrictShape(str(feature["properties"]["adcode"]),
                                    feature["properties"]["name"], geometry))
    return tuple(shapes)


def district_of(shapes: tuple[DistrictShape, ...], lat: float, lng: float) -> str | None:
    for district in shapes:
        if shapely.contains_xy(district.geometry, lng, lat):
            return district.adcode
    return None


def random_points_in(geometry: shapely.Geometry, count: int,
                     rng: np.random.Generator) -> np.ndarray:
    """`count` uniformly random (lat, lng) rows inside the polygon (rejection sampling)."""
    minx, miny, maxx, maxy = geometry.bounds
    shapely.prepare(geometry)
    found: list[np.ndarray] = []
    have = 0
    while have < count:
        batch = max(64, (count - have) * 3)
        xs = rng.uniform(minx, maxx, batch)
        ys = rng.uniform(miny, maxy, batch)
        inside = shapely.contains_xy(geometry, xs, ys)
        chosen = np.column_stack([ys[inside], xs[inside]])
        found.append(chosen)
        have += len(chosen)
    return np.concatenate(found)[:count]
