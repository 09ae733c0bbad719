"""附近: the businesses nearest a point (a phone's position, a tap on the map, or a typed
place from portal.registry.places), with their ratings. Distances are great-circle
distances on WGS-84 coordinates, as stored."""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.ratings.queries import BusinessRating, ratings_for
from portal.registry.models import Business

EARTH_RADIUS_M = 6_371_000
NEAREST = 10              # businesses listed under the map


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def point_from_client(value: object) -> tuple[float, float] | None:
    """(lat, lng) from what the browser's map sent back, or None: the component's value comes
    from the visitor's browser and may be anything."""
    if not isinstance(value, dict):
        return None
    try:
        lat, lng = float(value["lat"]), float(value["lng"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def nearest_ids(points: list[tuple], lat: float, lng: float,
                limit: int = NEAREST) -> list[tuple[int, float]]:
    """(business id, metres) of the `limit` nearest among the map's points (rows of
    portal.ratings.queries.map_points, or as the map fetches them: lat, lng, class, kind, id,
    months; only the position and the id are read), nearest first.
    The map's filters therefore apply to the list too."""
    return heapq.nsmallest(limit, ((row[4], distance_m(lat, lng, row[0], row[1])) for row in points),
                           key=lambda pair: (pair[1], pair[0]))


@dataclass(frozen=True)
class Nearby:
    business: Business
    metres: float
    rating: BusinessRating | None     # None: not a 餐饮服务 business


def nearby(session: Session, points: list[tuple], lat: float, lng: float, today: date,
           limit: int = NEAREST) -> list[Nearby]:
    """The nearest businesses with their ratings, in three queries."""
    found = nearest_ids(points, lat, lng, limit)
    if not found:
        return []
    businesses = {b.id: b for b in session.scalars(
        select(Business).where(Business.id.in_([business_id for business_id, _ in found])))}
    ratings = ratings_for(session, list(businesses.values()), today)
    return [Nearby(businesses[business_id], metres, ratings.get(business_id))
            for business_id, metres in found if business_id in businesses]
