"""Decide whether a text (a sampled place, a business address) names a place inside the
jurisdiction, and which district.

Conservative on purpose: a district name alone counts only where the profile marks it as
unique in China (慈利县); a shared one (永定区 exists in 张家界 and in 龙岩) only together with
the city's or the province's name."""
from __future__ import annotations

import re
from dataclasses import dataclass

from portal.registry.profiles import JurisdictionProfile


@dataclass(frozen=True)
class Place:
    in_jurisdiction: bool
    district_adcode: str | None


class PlaceMatcher:
    def __init__(self, profile: JurisdictionProfile):
        self.city = re.sub(r"市$", "", profile.name)
        self.province = re.sub(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$", "",
                               profile.province)
        self.districts = []
        for d in profile.districts:
            short = re.sub(r"(区|县|市)$", "", d.name)
            self.districts.append((d.name, short if len(short) >= 2 else d.name, d.adcode,
                                   d.unique_name))

    def match(self, *texts: str | None) -> Place:
        text = " ".join(t for t in texts if t)
        city_named = self.city in text
        for full, short, adcode, unique in self.districts:
            if full in text and (unique or city_named or self.province in text):
                return Place(True, adcode)
            if city_named and short in text.split(self.city, 1)[-1]:
                return Place(True, adcode)
        return Place(city_named, None)
