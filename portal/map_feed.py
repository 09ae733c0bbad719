"""The business map's points as one cached JSON document per filter.

The map (pages/map.py, portal/maps.py) no longer carries its points: the browser fetches them
from `/api/v1/map-points` once the map has drawn, so that a page visit sends only the map
itself (20,000 points were 0.9 MB on every visit). The page reads the same cache entry for
the count under the map and, once a point is chosen, for the 附近 list.

The cache holds, per process, the gzip-compressed JSON of at most MAX_ENTRIES filters and
MAX_BYTES in all, least recently used dropped first, so no number of distinct filters can
fill memory. An entry is stamped with the data version (portal.data_version: every audited
official write changes it, imports and demo data included) and the day: a write through any process is seen at the next read, not after a TTL. At most one
build runs at a time in a process (a build is the one expensive step, about 0.3 s at city
scale); a caller that cannot wait for it gets Busy.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import select

from portal.db import Database
from portal.geo import wgs84_to_gcj02
from portal.maps import CLASS_INDEX, CLASSES
from portal import data_version
from portal.ratings.queries import MapFilter, map_points
from portal.registry.models import Business
from portal.validation import clean_query

# Where the map fetches its points: relative to a page's address (pages sit at /<page>), so
# it also works when the portal is served under a path prefix.
PATH = "api/v1/map-points"
# The filters' values in the address: short ASCII codes, as the rest of the API uses.
GRADES = {"优秀": "excellent", "良好": "good", "一般": "fair", "暂不评级": "unrated",
          "非餐饮": "not_catering"}
KITCHENS = {"透明厨房": "transparent", "视频厨房": "video", "互联网+明厨亮灶": "internet"}
CRS = ("wgs84", "gcj02")          # as stored, or shifted for 高德 tiles (portal.maps.to_display_crs)
COLUMNS = ("lat", "lng", "class", "kind", "id", "months")
MAX_NAME = 30                     # as the page's 名称包含 box
MAX_KINDS = 40
MAX_ENTRIES = 32
MAX_BYTES = 32 * 2**20            # compressed; a city's full set is about 0.2 MB
BUILD_WAIT_SECONDS = 10.0


class Busy(Exception):
    """Another build held the process's build slot for the whole wait."""


@dataclass(frozen=True)
class MapPoints:
    """One filter's points: `body` is the gzip-compressed JSON, `etag` a hash of the JSON."""
    etag: str
    count: int
    kinds: tuple[str, ...]
    body: bytes

    def json_bytes(self) -> bytes:
        return gzip.decompress(self.body)

    def rows(self) -> list[list]:
        """The rows as sent, [lat, lng, class index, kind index, id, months], for 附近
        (ratings.nearby reads the position and the id): 15 ms for a city's 20,000."""
        return json.loads(self.json_bytes())["data"]


def canonical(flt: MapFilter) -> MapFilter:
    """One key for filters that mean the same: kinds sorted and without repeats, classes in
    the map's order, the name trimmed as the query trims it."""
    return replace(flt, kinds=tuple(sorted(set(flt.kinds))),
                   classes=tuple(name for name, _, _ in CLASSES if name in flt.classes),
                   name=clean_query(flt.name, MAX_NAME))


def crs_for(tiles: str | None) -> str:
    return "gcj02" if tiles == "amap" else "wgs84"


def address(flt: MapFilter, crs: str, etag: str = "") -> str:
    """The map's fetch address for a filter, relative to the page. `v` (the entry's version)
    gives each version of the data its own address, so the map is drawn again when it changes."""
    flt = canonical(flt)
    params = ([("kind", kind) for kind in flt.kinds] + [("grade", GRADES[c]) for c in flt.classes]
              + [(name, value) for name, value in (("district", flt.district),
                                                    ("kitchen", KITCHENS.get(flt.kitchen, "")),
                                                    ("name", flt.name)) if value]
              + [("crs", crs)] + ([("v", etag[:16])] if etag else []))
    return f"{PATH}?{urlencode(params)}"


def encode(rows: list[tuple], kinds: list[str], crs: str, demo: bool) -> bytes:
    """Compact JSON: each row [lat, lng, class index, kind index, id, months since the last
    inspection or -1], positions to 6 decimals (0.1 m), in the asked coordinate system."""
    data = []
    for lat, lng, cls, kind, business_id, months in rows:
        if crs == "gcj02":
            lng, lat = wgs84_to_gcj02(lng, lat)
        data.append([round(lat, 6), round(lng, 6), CLASS_INDEX[cls], kind, business_id, months])
    meta = {"count": len(data), "crs": crs, "columns": COLUMNS,
            "classes": [name for name, _, _ in CLASSES], "kinds": kinds, "demo": demo}
    return json.dumps({"meta": meta, "data": data}, ensure_ascii=False,
                      separators=(",", ":")).encode()


def build(db: Database, jurisdiction: str, flt: MapFilter, crs: str, today: date) -> MapPoints:
    with db.read() as session:
        rows, kinds = map_points(session, jurisdiction, today, flt)
        demo = session.scalar(select(Business.id).where(Business.is_demo.is_(True)).limit(1)) is not None
    raw = encode(rows, kinds, crs, demo)
    return MapPoints(etag=hashlib.sha256(raw).hexdigest()[:32], count=len(rows), kinds=tuple(kinds),
                     body=gzip.compress(raw, compresslevel=6, mtime=0))


class PointsCache:
    """A bounded LRU of MapPoints, one entry per filter, with the stamp it was built for."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES,
                 wait_seconds: float = BUILD_WAIT_SECONDS):
        self.max_entries, self.max_bytes, self.wait_seconds = max_entries, max_bytes, wait_seconds
        self._entries: OrderedDict[tuple, tuple[tuple, MapPoints]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building = threading.Lock()
        self.builds = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        return self._bytes

    def _find(self, key: tuple, stamp: tuple) -> MapPoints | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] != stamp:
                return None
            self._entries.move_to_end(key)
            return found[1]

    def _store(self, key: tuple, stamp: tuple, entry: MapPoints) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1].body)
            if len(entry.body) > self.max_bytes:
                return
            self._entries[key] = (stamp, entry)
            self._bytes += len(entry.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def get(self, key: tuple, stamp: tuple, make: Callable[[], MapPoints],
            admit: Callable[[], None] | None = None, wait: float | None = None) -> MapPoints:
        """The entry for key built for stamp; else `admit()` (which may refuse by raising),
        then one build at a time in the process."""
        entry = self._find(key, stamp)
        if entry is not None:
            return entry
        if admit is not None:
            admit()
        if not self._building.acquire(timeout=self.wait_seconds if wait is None else wait):
            raise Busy
        try:
            entry = self._find(key, stamp)      # built while this caller waited
            if entry is None:
                entry = make()
                self.builds += 1
                self._store(key, stamp, entry)
            return entry
        finally:
            self._building.release()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


CACHE = PointsCache()


def points(db: Database, jurisdiction: str, flt: MapFilter, crs: str, today: date, *,
           admit: Callable[[], None] | None = None, wait: float | None = None,
           cache: PointsCache = CACHE, version: str | None = None) -> MapPoints:
    """The points for a filter, from the cache when the data has not changed since. `version`:
    the data version the caller has read already (a page run reads it once); read here if
    not."""
    if crs not in CRS:
        raise ValueError(f"unknown coordinate system {crs!r}")
    flt = canonical(flt)
    if version is None:
        version = data_version.read(db.engine)
    return cache.get((db.url, jurisdiction, flt, crs), (today, version),
                     lambda: build(db, jurisdiction, flt, crs, today), admit, wait)

