from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.i18n import N_
from portal.timeutil import utcnow

# A business's sector (业态), stored as a code; the label is what pages, exports and the API
# show (English through data/i18n/en.po). Only catering (餐饮服务) is rated.
CATERING, RETAIL, PRODUCTION = "catering", "retail", "production"
SECTOR_LABELS = {CATERING: N_("餐饮服务"), RETAIL: N_("食品销售"), PRODUCTION: N_("食品生产")}


class Jurisdiction(Base):
    """A city (or county) bureau's area; filled from its profile in data/jurisdictions."""
    __tablename__ = "jurisdictions"

    adcode: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    province: Mapped[str] = mapped_column(String(40))
    population: Mapped[int] = mapped_column(Integer)
    centre_lat: Mapped[float] = mapped_column(Float)
    centre_lng: Mapped[float] = mapped_column(Float)

    districts: Mapped[list[District]] = relationship(back_populates="jurisdiction",
                                                     order_by="District.adcode")


class District(Base):
    __tablename__ = "districts"

    adcode: Mapped[str] = mapped_column(String(6), primary_key=True)
    jurisdiction_adcode: Mapped[str] = mapped_column(
        ForeignKey("jurisdictions.adcode", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    population: Mapped[int] = mapped_column(Integer)

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="districts")


class Business(Base):
    """A registered food business: the subject of grades, sampling results and lists."""
    __tablename__ = "businesses"
    __table_args__ = (
        Index("ix_businesses_district_type", "district_adcode", "business_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # 统一社会信用代码 (GB 32100-2015); individual stalls may have none.
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    # 食品经营许可证编号 (JY + 14 digits) or 食品生产许可证编号 (SC + 14 digits).
    licence_no: Mapped[str | None] = mapped_column(String(16), index=True)
    licence_date: Mapped[date | None] = mapped_column(Date)
    sector: Mapped[str] = mapped_column(String(20))          # a code of SECTOR_LABELS
    business_type: Mapped[str] = mapped_column(String(30))   # 餐馆, 学校食堂, 超市 ...
    address: Mapped[str] = mapped_column(String(300))
    district_adcode: Mapped[str] = mapped_column(ForeignKey("districts.adcode"))
    lat: Mapped[float] = mapped_column(Float)                 # WGS-84
    lng: Mapped[float] = mapped_column(Float)
    # True when only the district is known and the point is the district's centre.
    location_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    # Published on the 公示牌 and the door page where the registry holds them (as 张家界, 铜陵 and
    # 河西 do): the business's 食品安全员 and 食品安全总监, and its 包保责任人 (the official
    # responsible for it under 包保 duty) with a work phone. Names of people in a public role.
    safety_officer: Mapped[str | None] = mapped_column(String(40))
    safety_director: Mapped[str | None] = mapped_column(String(40))
    responsible_official: Mapped[str | None] = mapped_column(String(40))
    responsible_phone: Mapped[str | None] = mapped_column(String(30))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    district: Mapped[District] = relationship()

    @property
    def sector_label(self) -> str:
        return SECTOR_LABELS.get(self.sector, self.sector)

    @property
    def is_catering(self) -> bool:
        """Catering (餐饮服务) businesses are the ones the rating scheme covers."""
        return self.sector == CATERING
