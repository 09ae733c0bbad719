"""Shared set-up for complaint tests: a business to complain about and a valid form."""
from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from portal.complaints.filing import Client
from portal.registry.models import Business
from portal.timeutil import local_today

NAME, PHONE = "王小明", "13812345678"


def add_business(portal, name="示例快餐店") -> int:
    district = portal.profile.districts[0].adcode
    with portal.db.write() as session:
        business = Business(name=name, sector="餐饮服务", business_type="餐馆",
                            address="示例路 1 号", district_adcode=district,
                            lat=portal.profile.centre[0], lng=portal.profile.centre[1])
        session.add(business)
        session.flush()
        return business.id


def complaint_form(business_id=None, **overrides) -> dict:
    data = {"kind": "complaint", "business_id": business_id, "business_name": "",
            "district_adcode": "", "address": "", "category": "食品变质/过期",
            "occurred_on": local_today() - timedelta(days=2),
            "description": "买到的牛奶已经过期三天，喝了以后肚子不舒服。",
            "claim": "退货并赔偿", "contact_name": NAME, "phone": PHONE, "consent": True}
    data.update(overrides)
    return data


def client(n: int = 0) -> Client:
    return Client(session_id=f"session-{n}", address=f"10.0.0.{n}")


def jpeg_with_gps(size=(64, 48)) -> bytes:
    """A JPEG whose EXIF carries a GPS position (tag 0x8825), as phones write it."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (29.0, 7.0, 0.0), 3: "E", 4: (110.0, 28.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
