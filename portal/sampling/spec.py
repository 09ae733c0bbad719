"""The fixed, documented column spec of sampling-result downloads (CSV/XLSX).

Columns never change meaning or order within version 1; a new column is added at the end.
"""
from __future__ import annotations

from portal.sampling.models import DISPOSAL_STATUS_LABELS, SamplingBatch

SPEC_VERSION = "1"
EXPORT_COLUMNS = [
    ("批次编号", "本站内的批次编号，可用于 /sampling?batch=编号 打开详情"),
    ("食品名称", "公告中的食品（样品）名称"),
    ("分类", "食品大类"),
    ("细类", "食品细类（公告中有时为空）"),
    ("标称生产企业名称", "产品标签上标称的生产企业"),
    ("标称生产企业地址", "产品标签上标称的生产企业地址"),
    ("被抽样单位名称", "抽样时销售或使用该食品的单位"),
    ("被抽样单位地址", "被抽样单位地址或所在省份"),
    ("所属区县", "被抽样单位所在区县（本市抽检时）"),
    ("规格型号", "公告中的规格型号"),
    ("商标", "公告中的商标"),
    ("生产日期", "YYYY-MM-DD；无法识别时为空"),
    ("生产日期/批号（原文）", "公告原文"),
    ("公告号", "公告编号或期号"),
    ("公告日期", "YYYY-MM-DD"),
    ("任务来源", "任务来源、项目名称或发布单位"),
    ("检验机构", "出具检验报告的机构"),
    ("结果", "合格 或 不合格"),
    ("不合格项目", "多项以“；”分隔，每项为 项目║检验结果║标准值"),
    ("核查处置状态", " / ".join(DISPOSAL_STATUS_LABELS.values()) + "（仅在本市抽样的不合格批次；外地批次为空）"),
    ("处置措施", "已采取的措施，以“、”分隔"),
    ("处罚文书号", "如 市监处罚〔2024〕12号"),
    ("备注", "公告中的备注"),
]


def export_record(batch: SamplingBatch, district_names: dict[str, str]) -> dict:
    d = batch.disposal if batch.disposal_duty else None
    values = [
        batch.id, batch.food_name, batch.category, batch.subcategory, batch.producer_name,
        batch.producer_address, batch.sampled_unit, batch.sampled_address or batch.sampled_province,
        district_names.get(batch.district_adcode or "", ""), batch.specification, batch.trademark,
        batch.production_date.isoformat() if batch.production_date else "",
        batch.production_batch, batch.announcement_no,
        batch.announcement_date.isoformat() if batch.announcement_date else "",
        batch.task_source, batch.inspection_agency, batch.result,
        "；".join("║".join(p or "" for p in (f.item, f.result_value, f.standard_value))
                 for f in batch.failed_items),
        d.status_label if d else "", d.measures if d else "", d.document_no if d else "", batch.remark,
    ]
    return {name: ("" if value is None else value)
            for (name, _), value in zip(EXPORT_COLUMNS, values)}
