"""A place typed on the map page (an address, a road, a 小区, a business's or a district's
name), found offline from the registry's own addresses and coordinates and the
jurisdiction's district boundaries: no geocoding service is needed."""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.geo import DistrictShape
from portal.registry.models import Business, District
from portal.validation import clean_query

MAX_PLACE_QUERY = 30      # characters of a typed place
ADDRESS_MATCHES = 500     # addresses averaged for a road or a 小区


@dataclass(frozen=True)
class Place:
    lat: float
    lng: float
    kind: str        # "business", "address" or "district": what the text matched
    label: str       # the business's or district's name, or the text itself for an address
    matches: int     # how many businesses (or 1 for a district)


def find_place(session: Session, jurisdiction: str, text: str,
               districts: tuple[DistrictShape, ...] = ()) -> Place | None:
    """Where a typed place is, inside the jurisdiction: a district by its name, else a
    business whose name contains the text (the shortest such name: the closest match), else
    the middle of the registered addresses that contain it (a road, a street, a 小区)."""
    text = clean_query(text, MAX_PLACE_QUERY)
    if not text:
        return None
    for district in districts:
        # A district by its name (永定区, or 永定): its centre, before any business whose name
        # starts with the district's name.
        if text in (district.name, district.name.rstrip("区县市")):
            lat, lng = district.centre
            return Place(lat, lng, "district", district.name, 1)
    in_area = (select(Business).join(District)
               .where(District.jurisdiction_adcode == jurisdiction, Business.location_approximate.is_(False)))
    named = session.scalars(in_area.where(Business.name.contains(text, autoescape=True))
                            .order_by(func.length(Business.name), Business.id).limit(1)).first()
    if named is not None:
        return Place(named.lat, named.lng, "business", named.name, 1)
    located = session.execute(
        select(Business.lat, Business.lng).join(District)
        .where(District.jurisdiction_adcode == jurisdiction, Business.location_approximate.is_(False),
               Business.address.contains(text, autoescape=True))
        .order_by(Business.id).limit(ADDRESS_MATCHES)).all()
    if located:
        # The median, not the mean: one mistyped address far away does not move the point.
        return Place(statistics.median(lat for lat, _ in located),
                     statistics.median(lng for _, lng in located), "address", text, len(located))
    return None
