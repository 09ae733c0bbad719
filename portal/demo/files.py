"""Demo announcement files (演示数据) to import: realistic layout with a title row, the
standard disclaimer and the passed-batch columns of DOMAIN §1."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from portal.demo.sampling import FOODS
from portal.registry.profiles import JurisdictionProfile

PASSED_COLUMNS = ["序号", "标称生产企业名称", "标称生产企业地址", "被抽样单位名称", "被抽样单位地址",
                  "食品名称", "规格型号", "生产日期/批号", "分类", "公告号", "公告日期",
                  "任务来源/项目名称", "备注"]


def write_passed_announcement(path: Path, rows: int, profile: JurisdictionProfile,
                              seed: int = 7, today: date | None = None) -> Path:
    from openpyxl import Workbook

    rng = np.random.default_rng(seed)
    today = today or date.today()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("合格产品信息")
    sheet.append([f"【演示数据】{profile.bureau}食品安全监督抽检合格产品信息"])
    sheet.append(["（声明：以下信息仅指本次抽检标称的生产企业相关产品的生产日期/批号和所检项目）"])
    sheet.append(PASSED_COLUMNS)
    categories = list(FOODS)
    districts = [d.name for d in profile.districts]
    for i in range(rows):
        category = categories[i % len(categories)]
        foods = FOODS[category][0]
        district = districts[i % len(districts)]
        announced = today - timedelta(days=int(rng.integers(1, 365)))
        produced = announced - timedelta(days=int(rng.integers(3, 120)))
        sheet.append([
            i + 1, f"湖南演示{i % 997}号食品有限公司", "湖南省长沙市望城区经济开发区",
            f"{profile.name}{district}演示{i % 4999}号超市", f"湖南省{profile.name}{district}人民路{i % 300}号",
            foods[i % len(foods)], "500g/袋", produced.isoformat(), category,
            f"演示〔{announced.year}〕{i // 5000 + 1}号", (announced - date(1899, 12, 30)).days,
            f"{profile.bureau}监督抽检", "",
        ])
    book.save(path)
    return path
