"""What a valid registry entry is: the business types and their sector, the codes, the district
and coordinates inside it. The registry importer and the single-entry correction both check
rows here."""
from __future__ import annotations

import re

from portal.i18n import N_
from portal.registry.codes import credit_code_problem, licence_problem, normalise_code
from portal.registry.models import CATERING, PRODUCTION, RETAIL
from portal.tables import parse_date

SECTOR_OF_TYPE = {
    "餐馆": CATERING, "快餐店": CATERING, "小吃店": CATERING, "饮品店": CATERING,
    "学校食堂": CATERING, "养老机构食堂": CATERING, "机关食堂": CATERING, "企业食堂": CATERING,
    "工地食堂": CATERING, "中央厨房": CATERING, "集体用餐配送单位": CATERING,
    "农村集体聚餐场所": CATERING, "超市": RETAIL, "便利店": RETAIL, "食杂店": RETAIL,
    "农贸市场": RETAIL, "食品生产企业": PRODUCTION,
}


# 食品安全员, 食品安全总监, 包保责任人 and the 包保责任人's work phone (Business has each).
STAFF_FIELDS = ("safety_officer", "safety_director", "responsible_official", "responsible_phone")
_PHONE = re.compile(r"[0-9+\-（）() 转]{5,30}")
_FORBIDDEN = re.compile(r"[<>\[\]{}\\`|\x00-\x1f\x7f]")


def business_record(values, raws, profile, matcher, shapes) -> tuple[dict | None, str, str]:
    """(fields for Business or None, column, problem)."""
    name = values.get("name")
    if not name:
        return None, "name", "缺少名称"
    code = normalise_code(values.get("credit_code")) or None
    if code and (problem := credit_code_problem(code)):
        return None, "credit_code", problem
    licence = normalise_code(values.get("licence_no")) or None
    if licence and (problem := licence_problem(licence)):
        return None, "licence_no", problem
    kind = values.get("business_type") or ""
    if kind not in SECTOR_OF_TYPE:
        return None, "business_type", f"业态“{kind}”不在可选范围内（{'、'.join(SECTOR_OF_TYPE)}）"
    address = values.get("address") or ""
    district = None
    if values.get("district"):
        district = next((d.adcode for d in profile.districts
                         if values["district"] in (d.name, d.name[:-1])), None)
        if district is None:
            return None, "district", f"区县“{values['district']}”不在{profile.name}"
    else:
        district = matcher(name, address, None).district_adcode
        if district is None:
            return None, "address", "无法从地址判断所属区县，请填写“所属区县”"
    lat, lng, approximate = _coordinates(values, shapes[district])
    if lat is None:
        return None, "lat", "坐标不在所填区县范围内（请使用 WGS-84 经纬度）"
    staff, column, problem = staff_fields(values)
    if staff is None:
        return None, column, problem
    return {"name": name, "credit_code": code, "licence_no": licence,
            "licence_date": parse_date(raws.get("licence_date")), "sector": SECTOR_OF_TYPE[kind],
            "business_type": kind, "address": address, "district_adcode": district,
            "lat": lat, "lng": lng, "location_approximate": approximate, **staff}, "", ""


STAFF_LABELS = {"safety_officer": N_("食品安全员"), "safety_director": N_("食品安全总监"),
                "responsible_official": N_("包保责任人")}


def staff_of(business) -> list[tuple[str, str, str]]:
    """The staff a business's registry entry names, for the sign and the pages: (label in
    Chinese, name, work phone or "")."""
    return [(label, getattr(business, key), business.responsible_phone or ""
             if key == "responsible_official" else "")
            for key, label in STAFF_LABELS.items() if getattr(business, key)]


def staff_fields(values: dict) -> tuple[dict | None, str, str]:
    """The staff columns a row has (a file without them leaves what is stored alone): a
    person's name, at most 40 characters on one line; the work phone, digits and separators."""
    out = {}
    for field in STAFF_FIELDS:
        if field not in values:
            continue
        text = " ".join(str(values[field] or "").split())
        if field == "responsible_phone":
            if text and not _PHONE.fullmatch(text):
                return None, field, "工作电话只能含数字、空格、“-”、“转”和括号（如 0744-8221234 转 801）"
        elif len(text) > 40 or _FORBIDDEN.search(text):
            return None, field, "姓名最多 40 个字，不能含 < > 等符号"
        out[field] = text or None
    return out, "", ""


def _coordinates(values, shape):
    import shapely  # loaded on first use: pages that never check coordinates skip it

    try:
        lat, lng = float(values["lat"]), float(values["lng"])
    except (KeyError, TypeError, ValueError):
        centre = shape.centre  # no usable coordinates: the district's centre, marked approximate
        return round(centre[0], 6), round(centre[1], 6), True
    if not shapely.contains_xy(shape.geometry, lng, lat):
        return None, None, False
    return lat, lng, False
