"""Shared set-up for complaint tests: a business to complain about and a valid form."""
from __future__ import annotations

import io
import struct
import zlib
from datetime import timedelta

from PIL import Image

from portal.complaints.filing import Client
from portal.registry.models import Business
from portal.timeutil import local_today

NAME, PHONE = "王小明", "13812345678"


def add_business(portal, name="示例快餐店") -> int:
    district = portal.profile.districts[0].adcode
    with portal.db.write() as session:
        business = Business(name=name, sector="catering", business_type="餐馆",
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


def png_of_pixels(width: int, height: int) -> bytes:
    """A valid black RGB PNG of any size, built row by row (never the whole image in memory):
    6320×6320 is about 120 KB, and decoding it takes seconds and hundreds of MB."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row, packer = b"\x00" * (1 + width * 3), zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def phone_jpeg(size=(5200, 3900)) -> bytes:
    """A camera-sized JPEG (20 MP), well under 5 MB."""
    out = io.BytesIO()
    Image.new("RGB", size, (90, 140, 60)).save(out, "JPEG", quality=80)
    return out.getvalue()
