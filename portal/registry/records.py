"""What a valid registry entry is: the business types and their sector, the codes, the district
and coordinates inside it. The registry importer and the single-entry correction both check
rows here."""
from __future__ import annotations

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
    return {"name": name, "credit_code": code, "licence_no": licence,
            "licence_date": parse_date(raws.get("licence_date")), "sector": SECTOR_OF_TYPE[kind],
            "business_type": kind, "address": address, "district_adcode": district,
            "lat": lat, "lng": lng, "location_approximate": approximate}, "", ""


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
