"""map_build: the businesses map's HTML for 20,000 businesses (city scale): seconds and bytes,
vs one folium.Marker per point in a MarkerCluster (measured on a tenth, scaled linearly)."""
from __future__ import annotations

import time

from benchmarks.common import OTHERS_EMPTY, demo_database, line, log, median_seconds

N_FULL = 20_000


def run(quick: bool) -> list[dict]:
    import folium
    from folium.plugins import MarkerCluster

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
        with db.read() as session:
            rows, kinds = map_points(session, profile.adcode, local_today(), MapFilter())
        def build():
            return business_map(rows, kinds, profile.centre, profile.zoom,
                                tiles=None).get_root().render()

        ours = median_seconds(build)  # a page rerun in a warm process
        size = len(build().encode())
        sample = rows[: max(1, len(rows) // 10)]
        start = time.perf_counter()
        naive = folium.Map(location=profile.centre, zoom_start=profile.zoom, tiles=None)
        cluster = MarkerCluster().add_to(naive)
        for lat, lng, cls, _, business_id, _months in sample:
            folium.Marker([lat, lng], popup=f"{cls} {business_id}").add_to(cluster)
        naive_html = naive.get_root().render()
        baseline = (time.perf_counter() - start) * len(rows) / len(sample)
        naive_size = len(naive_html.encode()) * len(rows) / len(sample)
        log(f"ours {ours:.3f}s {size:,} B; naive (scaled from {len(sample):,}) {baseline:.1f}s {naive_size:,.0f} B")
        ratio_ok = baseline / ours >= 100 if ours else True
        return [
            line("map_build", "build_seconds", ours, "s", len(rows),
                 f"folium.Marker per point in MarkerCluster, measured on {len(sample):,} and scaled",
                 baseline, "<= 0.5 s and ratio >= 100", ours <= 0.5 and ratio_ok),
            line("map_build", "html_bytes", size, "B", len(rows),
                 f"folium.Marker per point in MarkerCluster, measured on {len(sample):,} and scaled",
                 naive_size, "< 1,000,000 B", size < 1_000_000),
        ]
