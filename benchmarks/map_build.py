"""map_build: the businesses map for 20,000 businesses (city scale).

The map a page visit sends carries no points (portal.maps.FetchedPoints): its seconds and
bytes, vs one folium.Marker per point in a MarkerCluster (measured on a tenth, scaled
linearly). The points come from /api/v1/map-points (portal.map_feed): the seconds to build
the document for the whole city (a cache miss), its compressed bytes vs the same rows as
plain JSON, and a cached answer (the data-version read and the lookup) vs a build."""
from __future__ import annotations

import time

from benchmarks.common import OTHERS_EMPTY, demo_database, line, log, median_seconds

N_FULL = 20_000


def run(quick: bool) -> list[dict]:
    import folium
    from folium.plugins import MarkerCluster

    from portal import map_feed
    from portal.db import Database
    from portal.maps import business_map
    from portal.ratings.queries import MapFilter, map_points
    from portal.registry.profiles import load_profile
    from portal.timeutil import local_today

    n = N_FULL // 10 if quick else N_FULL
    counts = {"businesses": n, "sampling_batches": n, **OTHERS_EMPTY}
    with demo_database("city", counts) as (url, _tmp):
        db = Database(url)
        profile = load_profile("zhangjiajie")
        today = local_today()
        with db.read() as session:
            rows, kinds = map_points(session, profile.adcode, today, MapFilter())
        entry = map_feed.build(db, profile.adcode, MapFilter(), "wgs84", today)
        path = map_feed.address(MapFilter(), "wgs84", entry.etag)

        def build():
            return business_map(path, {kind: kind for kind in kinds}, profile.centre, profile.zoom,
                                tiles=None).get_root().render()

        ours = median_seconds(build)  # a page rerun in a warm process
        size = len(build().encode())
        points_build = median_seconds(lambda: map_feed.build(db, profile.adcode, MapFilter(), "wgs84", today),
                                      repeat=3)
        cache = map_feed.PointsCache()
        map_feed.points(db, profile.adcode, MapFilter(), "wgs84", today, cache=cache)
        points_hit = median_seconds(lambda: map_feed.points(db, profile.adcode, MapFilter(), "wgs84",
                                                            today, cache=cache))
        plain = len(entry.json_bytes())
        sample = rows[: max(1, len(rows) // 10)]
        start = time.perf_counter()
        naive = folium.Map(location=profile.centre, zoom_start=profile.zoom, tiles=None)
        cluster = MarkerCluster().add_to(naive)
        for lat, lng, cls, _, business_id, _months in sample:
            folium.Marker([lat, lng], popup=f"{cls} {business_id}").add_to(cluster)
        naive_html = naive.get_root().render()
        baseline = (time.perf_counter() - start) * len(rows) / len(sample)
        naive_size = len(naive_html.encode()) * len(rows) / len(sample)
        log(f"map {ours:.3f}s {size:,} B; naive (scaled from {len(sample):,}) {baseline:.1f}s {naive_size:,.0f} B; "
            f"points: build {points_build:.3f}s, cached {points_hit * 1000:.1f} ms, "
            f"{len(entry.body):,} B gzip ({plain:,} B plain)")
        ratio_ok = baseline / ours >= 100 if ours else True
        naive_label = f"folium.Marker per point in MarkerCluster, measured on {len(sample):,} and scaled"
        return [
            line("map_build", "build_seconds", ours, "s", len(rows), naive_label,
                 baseline, "<= 0.5 s and ratio >= 100", ours <= 0.5 and ratio_ok),
            line("map_build", "html_bytes", size, "B", len(rows), naive_label,
                 naive_size, "< 100,000 B (no points in the map)", size < 100_000),
            line("map_build", "points_build_seconds", points_build, "s", len(rows),
                 "the map's HTML with one folium.Marker per point (scaled)", baseline,
                 "<= 1 s (a cache miss of /api/v1/map-points)", points_build <= 1),
            line("map_build", "points_gzip_bytes", len(entry.body), "B", len(rows),
                 "the same rows as plain JSON", plain, "< 400,000 B", len(entry.body) < 400_000),
            line("map_build", "points_cached_seconds", points_hit, "s", len(rows),
                 "building the document (a cache miss)", points_build,
                 "<= 0.02 s (data-version read and lookup)", points_hit <= 0.02),
        ]
