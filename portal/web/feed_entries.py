"""What each Atom feed says: entries read through the capabilities' queries, newest first,
at most MAX_ENTRIES a feed.

Only what the public pages already show goes into an entry: no official's user name, no
complainant, no voter or proposer (complaints and votes are not in any feed). An entry from
demo data says 演示数据 in its title, as the pages do in their notices.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from portal.lists.models import BLACK, ListEntry
from portal.lists.queries import business_history, recent_entries
from portal.ratings.queries import business_rating
from portal.registry.models import Business
from portal.registry.profiles import JurisdictionProfile
from portal.rounds.models import Round
from portal.rounds.queries import rounds
from portal.sampling.models import FAILED, SamplingBatch
from portal.sampling.queries import sampling_record, search
from portal.sampling.schemas import SamplingFilter
from portal.timeutil import LOCAL_TZ

MAX_ENTRIES = 50
DEMO = "【演示数据】"
# Entry ids are URNs derived from what they describe, not from the address the feed was
# fetched at: an entry keeps its id whichever host or prefix serves it (Atom 4.2.6).
ID_NAMESPACE = uuid.UUID("6f1c2a4e-2b7d-4c5e-9a51-0f0d5e3b8c21")


@dataclass(frozen=True)
class Entry:
    key: str            # unique within the portal: the source of the entry's id
    title: str
    summary: str
    page: str           # the portal page it links to, relative to the site root
    updated: datetime   # aware


def entry_id(jurisdiction: str, key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, f'{jurisdiction}/{key}')}"


def _on(day: date | None, fallback: datetime) -> datetime:
    """A day as its local midnight (the pages show days, not times)."""
    if day is None:
        return _aware(fallback)
    return datetime.combine(day, time(0), LOCAL_TZ)


def _aware(moment: datetime) -> datetime:
    """Stored datetimes are naive UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _demo(row) -> str:
    return DEMO if getattr(row, "is_demo", False) else ""


def _page(path: str, **params: str) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _batch_entry(batch: SamplingBatch, profile: JurisdictionProfile, key_prefix: str = "batch") -> Entry:
    where = profile.district_name(batch.district_adcode) if batch.district_adcode else ""
    failed = batch.result == FAILED
    items = "、".join(item.item for item in batch.failed_items) if failed else ""
    facts = [f"结果：{batch.result}" + (f"（不合格项目：{items}）" if items else ""),
             f"类别：{batch.category}"]
    if batch.sampled_unit:
        facts.append(f"被抽样单位：{batch.sampled_unit}" + (f"（{where}）" if where else ""))
    if batch.producer_name:
        facts.append(f"标称生产企业：{batch.producer_name}")
    if batch.announcement_no:
        facts.append(f"公告号：{batch.announcement_no}")
    return Entry(f"{key_prefix}/{batch.id}",
                 f"{_demo(batch)}{'不合格' if failed else '合格'}：{batch.food_name}",
                 "；".join(facts) + "。",
                 _page("sampling", batch=str(batch.id), scope="all"),
                 _on(batch.announcement_date, batch.created_at))


def sampling_entries(session: Session, flt: SamplingFilter, profile: JurisdictionProfile) -> list[Entry]:
    """The newest batches announced for this jurisdiction that match the filter."""
    _, batches = search(session, flt, page_size=MAX_ENTRIES, with_details=True)
    return [_batch_entry(batch, profile) for batch in batches]


def _list_entry(entry: ListEntry) -> Entry:
    board = "黑榜（严重违法失信名单）" if entry.kind == BLACK else "红榜"
    link = _page("business", id=str(entry.business_id)) if entry.business_id else _page("lists")
    if entry.removed_on:
        title = f"{_demo(entry)}移出{board}：{entry.business_name}"
        summary = f"{entry.removed_on.isoformat()} 移出。" \
            + (f"原因：{entry.removal_reason}" if entry.removal_reason else "")
        day = entry.removed_on
    else:
        title = f"{_demo(entry)}列入{board}：{entry.business_name}"
        summary = f"{entry.listed_on.isoformat()} 列入，决定机关：{entry.authority}。原因：{entry.reason}"
        if entry.decision_no:
            summary += f"（{entry.decision_no}）"
        day = entry.listed_on
    state = "removed" if entry.removed_on else "listed"
    return Entry(f"list/{entry.id}/{state}", title, summary, link, _on(day, entry.updated_at))


def list_entries(session: Session, profile: JurisdictionProfile) -> list[Entry]:
    entries = [_list_entry(entry) for entry in recent_entries(session, profile.adcode, MAX_ENTRIES)]
    return sorted(entries, key=lambda e: e.updated, reverse=True)


def _round_entries(round_: Round) -> list[Entry]:
    page = _page("rounds", round=str(round_.id))
    demo = _demo(round_)
    out = [Entry(f"round/{round_.id}/opened", f"{demo}你点我检：{round_.title}",
                 f"提出建议 {round_.proposal_from.isoformat()} 至 {round_.proposal_to.isoformat()}，"
                 f"投票 {round_.vote_from.isoformat()} 至 {round_.vote_to.isoformat()}，"
                 f"将抽检 {round_.sample_count} 种食品。{round_.description}",
                 page, _aware(round_.created_at))]
    if round_.plan_fixed_at:
        out.append(Entry(f"round/{round_.id}/plan", f"{demo}抽检计划已确定：{round_.title}",
                         round_.plan_note or "按投票结果确定了抽检计划。", page, _aware(round_.plan_fixed_at)))
    if round_.published_at:
        out.append(Entry(f"round/{round_.id}/results", f"{demo}抽检结果已公布：{round_.title}",
                         round_.result_summary or "抽检结果已公布。", page, _aware(round_.published_at)))
    return out


def round_entries(session: Session) -> list[Entry]:
    entries = [e for round_ in rounds(session) for e in _round_entries(round_)]
    return sorted(entries, key=lambda e: e.updated, reverse=True)[:MAX_ENTRIES]


def _grade_changes(business: Business, history: list[tuple[date, float, str | None]]) -> list[Entry]:
    """An entry where an inspection's dynamic grade differs from the one before it."""
    out = []
    previous: str | None = None
    for day, _score, grade in reversed(history):      # oldest first
        shown = grade or "不予评级"
        if shown != previous:
            title = f"量化分级：{previous} → {shown}" if previous else f"量化分级：{shown}"
            out.append(Entry(f"business/{business.id}/grade/{day.isoformat()}", f"{_demo(business)}{title}",
                             f"{day.isoformat()} 检查后的动态等级为“{shown}”。",
                             _page("business", id=str(business.id)), _on(day, business.created_at)))
        previous = shown
    return out


def business_entries(session: Session, business: Business, profile: JurisdictionProfile,
                     today: date) -> list[Entry]:
    """Grade changes, failed batches, list entries and 核查处置 outcomes of one business."""
    entries: list[Entry] = []
    rating = business_rating(session, business, today)
    if rating:
        entries += _grade_changes(business, rating.history)
    record = sampling_record(session, business.id, limit=MAX_ENTRIES)
    for batch in record.recent:
        if batch.result != FAILED:
            continue
        entries.append(_batch_entry(batch, profile, key_prefix=f"business/{business.id}/batch"))
        disposal = batch.disposal
        if disposal is not None and disposal.done:
            facts = [f"措施：{disposal.measures}" if disposal.measures else "",
                     f"文书：{disposal.document_no}" if disposal.document_no else "",
                     disposal.public_note or ""]
            entries.append(Entry(f"business/{business.id}/disposal/{batch.id}",
                                 f"{_demo(batch)}核查处置完成：{batch.food_name}",
                                 "；".join(f for f in facts if f) or "核查处置已完成。",
                                 _page("sampling", batch=str(batch.id), scope="all"),
                                 _on(disposal.completed_on, disposal.updated_at)))
    entries += [_list_entry(entry) for entry in business_history(session, business.id)]
    return sorted(entries, key=lambda e: e.updated, reverse=True)[:MAX_ENTRIES]
