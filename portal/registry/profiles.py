"""Jurisdiction profiles (data/jurisdictions/*.json) and their copy in the database."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from portal.config import DATA_DIR, ConfigError
from portal.geo import DistrictShape, load_district_shapes
from portal.registry.models import District, Jurisdiction

PROFILES_DIR = DATA_DIR / "jurisdictions"


class DistrictProfile(BaseModel):
    adcode: str = Field(pattern=r"^\d{6}$")
    name: str = Field(min_length=1, max_length=40)
    name_en: str = ""            # for the English pages; empty: the Chinese name is shown
    population: int = Field(gt=0)
    # The name belongs to no other county-level division in China (checked against the cpca
    # adcode table), so it alone places an address here; 永定区 is also in 龙岩, so it is not.
    unique_name: bool = False


class JurisdictionProfile(BaseModel):
    slug: str
    adcode: str = Field(pattern=r"^\d{6}$")
    name: str
    name_en: str = ""
    province: str
    bureau: str
    bureau_en: str = ""
    centre: tuple[float, float]
    zoom: int = 9
    boundaries: str
    population: int = Field(gt=0)
    population_source: str                  # shown to citizens beside the figures
    population_verified: bool
    population_note: str = ""               # for officials only: what is left to check
    districts: list[DistrictProfile] = Field(min_length=1)

    @model_validator(mode="after")
    def _districts_belong(self):
        prefix = self.adcode[:4]
        for district in self.districts:
            if not district.adcode.startswith(prefix):
                raise ValueError(f"district {district.adcode} is not inside {self.adcode}")
        return self

    @property
    def boundaries_path(self) -> Path:
        return DATA_DIR / self.boundaries

    def shapes(self) -> tuple[DistrictShape, ...]:
        return load_district_shapes(str(self.boundaries_path))

    def district_name(self, adcode: str) -> str:
        return next((d.name for d in self.districts if d.adcode == adcode), adcode)


def available_profiles() -> dict[str, Path]:
    return {path.stem: path for path in sorted(PROFILES_DIR.glob("*.json"))}


@lru_cache(maxsize=8)
def load_profile(key: str) -> JurisdictionProfile:
    """Find a profile by its slug (zhangjiajie) or its adcode (430800)."""
    for path in available_profiles().values():
        profile = JurisdictionProfile.model_validate_json(path.read_text(encoding="utf-8"))
        if key in (profile.slug, profile.adcode):
            if not profile.boundaries_path.is_file():
                raise ConfigError(f"profile {profile.slug}: missing {profile.boundaries_path}")
            return profile
    names = ", ".join(available_profiles())
    raise ConfigError(f"PORTAL_JURISDICTION={key!r} matches no profile in {PROFILES_DIR} "
                      f"(available: {names})")


def sync_profile(session: Session, profile: JurisdictionProfile) -> None:
    """Upsert the jurisdiction and its districts from the profile (profile wins)."""
    row = session.get(Jurisdiction, profile.adcode) or Jurisdiction(adcode=profile.adcode)
    row.name, row.province, row.population = profile.name, profile.province, profile.population
    row.centre_lat, row.centre_lng = profile.centre
    session.add(row)
    for item in profile.districts:
        district = session.get(District, item.adcode) or District(adcode=item.adcode)
        district.jurisdiction_adcode = profile.adcode
        district.name, district.population = item.name, item.population
        session.add(district)

