"""The audit log: append a row for every official action; search it."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import AuditEntry
from portal.accounts.rules import Actor
from portal.timeutil import local_midnight_utc, utcnow

ACTION_LABELS = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "sign_in_locked": "登录被延迟（未核对密码）",
    "official_unlock": "解除登录限制",
    "sign_out": "退出登录",
    "idle_sign_out": "无操作自动退出",
    "official_create": "新建账号",
    "official_disable": "停用账号",
    "official_enable": "启用账号",
    "official_reset_password": "重置密码",
    "official_change_password": "修改本人密码",
    "official_set_roles": "调整角色",
    "demo_seed": "生成演示数据",
    "demo_clear": "清除演示数据",
    "sampling_import": "导入抽检公告",
    "businesses_import": "导入经营主体",
    "grades_import": "导入量化分级检查",
    "lists_import": "导入红黑榜",
    "inspection_add": "录入量化分级检查",
    "business_update": "修改登记信息",
    "kitchen_set": "登记明厨亮灶",
    "list_add": "列入红黑榜",
    "list_remove": "移出红黑榜",
    "disposal_update": "登记核查处置",
    "complaint_accept": "受理投诉举报",
    "complaint_refuse": "不予受理",
    "complaint_assign": "交办承办单位",
    "complaint_note": "添加内部备注",
    "complaint_request_info": "请群众补充材料",
    "complaint_reply": "答复群众",
    "complaint_close": "办结投诉举报",
    "complaint_extend": "延长办理期限",
    "complaint_merge": "合并重复件",
    "complaint_reveal_contact": "查看联系方式",
    "complaint_erase_personal": "到期删除个人信息",
    "complaint_rules_update": "修改办理时限",
    "holidays_enter": "登记节假日安排",
    "round_create": "新建你点我检",
    "candidate_add": "增加候选项目",
    "candidate_moderate": "审核群众建议",
    "round_plan": "确定抽检计划",
    "round_link_batch": "关联抽检批次",
    "round_unlink_batch": "取消关联批次",
    "round_publish": "公布你点我检结果",
    "round_flag_review": "核查异常投票提示",
}


def record(session: Session, actor: Actor | None, action: str, *, object_type: str | None = None,
           object_id: str | int | None = None, detail: dict | None = None,
           actor_name: str | None = None, at: datetime | None = None) -> AuditEntry:
    entry = AuditEntry(
        at=at or utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=actor_name or (actor.username if actor else "anonymous"),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    actor_name: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    object_type: str | None = None
    object_id: str | None = None


def search(session: Session, filters: AuditFilter, limit: int = 200,
           offset: int = 0) -> tuple[int, list[AuditEntry]]:
    """Newest first; (total matching, one page). Dates are local (Asia/Shanghai) days."""
    query = select(AuditEntry)
    if filters.actor_name:
        query = query.where(AuditEntry.actor_name == filters.actor_name)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(AuditEntry.object_id == filters.object_id)
    if filters.date_from:
        query = query.where(AuditEntry.at >= local_midnight_utc(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < local_midnight_utc(filters.date_to + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(limit).offset(offset)).all()
    return total or 0, list(rows)


def actor_names(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.actor_name).distinct()
                                .order_by(AuditEntry.actor_name)))
