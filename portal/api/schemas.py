"""The records the API returns: a stable field spec (version 1), labelled in Chinese and
English. Within v1 a field never changes meaning or type; new fields are only added."""
from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from portal.complaints.stats import DEFINITIONS
from portal.i18n import catalog

Record = TypeVar("Record")


def F(zh: str, en: str, **kwargs):
    return Field(description=f"{zh} / {en}", **kwargs)


def defined(figure: str, name: str):
    """A complaint figure described by its one definition, the one 办理公开 shows beside it."""
    zh = DEFINITIONS[figure]
    return F(f"{name}：{zh}", catalog("en").get(zh, zh))


class Meta(BaseModel):
    total: int = F("符合条件的记录总数", "records matching the filters")
    limit: int = F("本页条数上限", "page size asked for")
    offset: int = F("跳过的条数", "records skipped")
    next: str | None = F("下一页的地址，最后一页为 null", "URL of the next page, null on the last")
    demo: bool = F("本页含演示数据（不是真实结果）", "the page holds generated demo data, not real results")
    notice: str = F("使用说明", "terms and notes")
    last_modified: datetime | None = F("数据最后更新时间（UTC）", "when the data last changed (UTC)")


class Page(BaseModel, Generic[Record]):
    meta: Meta
    data: list[Record]


class Review(BaseModel):
    kind: Literal["retest", "objection"] = F("retest 复检，objection 异议", "re-testing or objection")
    applied_on: date = F("申请日期", "applied on")
    outcome: Literal["upheld", "overturned"] | None = F("结论：upheld 维持原结论，overturned 推翻；未出结论为 null",
                                                        "outcome: the result upheld or overturned; null while open")
    decided_on: date | None = F("结论日期", "decided on")


class FailedItem(BaseModel):
    item: str = F("不合格项目", "failed test item")
    result_value: str | None = F("检验结果", "measured value")
    standard_value: str | None = F("标准值", "limit in the standard")


class Disposal(BaseModel):
    status: str = F("核查处置状态：待核查、核查中、已处置", "follow-up status: pending, in progress, done")
    status_code: Literal["pending", "checking", "done"] = F(
        "核查处置状态代码：pending 待核查，checking 核查中，done 已处置",
        "follow-up status as a stable code")
    measures: str | None = F("已采取的措施", "measures taken")
    document_no: str | None = F("处罚文书号", "penalty decision number")


class SamplingBatch(BaseModel):
    id: int = F("批次编号（本站）", "batch id on this portal")
    food_name: str = F("食品名称", "food (sample) name")
    category: str = F("食品大类", "food category")
    subcategory: str | None = F("食品细类", "food subcategory")
    producer_name: str | None = F("标称生产企业名称", "producer named on the label")
    producer_address: str | None = F("标称生产企业地址", "producer address on the label")
    sampled_unit: str = F("被抽样单位名称", "where the sample was taken")
    sampled_address: str | None = F("被抽样单位地址或省份", "address or province of the sampled unit")
    district_adcode: str | None = F("被抽样单位所在区县代码（本市抽检时）", "district adcode, for local samples")
    district_name: str | None = F("区县名称", "district name")
    specification: str | None = F("规格型号", "package size or model")
    trademark: str | None = F("商标", "brand")
    production_date: date | None = F("生产日期", "production date")
    announcement_no: str | None = F("公告号", "announcement number")
    announcement_date: date | None = F("公告日期", "announcement date")
    task_source: str | None = F("任务来源", "programme or issuing body")
    inspection_agency: str | None = F("检验机构", "testing laboratory")
    result: Literal["pass", "fail"] = F("结果：pass 合格，fail 不合格", "result")
    failed_items: list[FailedItem] = F("不合格项目（合格批次为空）", "failed items, empty when passed")
    disposal: Disposal | None = F("核查处置（仅在本市抽样的不合格批次；外地批次由抽样地处置，为 null）",
                                  "follow-up of a failed batch sampled in this city (null for batches sampled elsewhere)")
    reviews: list[Review] = F("复检和异议申请（按申请日期）", "re-testing and objection applications, by date")
    in_jurisdiction: bool = F("在本市抽样", "sampled in this city")
    demo: bool = F("演示数据", "generated demo record")
    updated_at: datetime = F("最后更新（UTC）", "last changed (UTC)")


class Rating(BaseModel):
    dynamic_grade: Literal["excellent", "good", "fair"] | None = F(
        "动态等级：excellent 优秀（大笑）、good 良好（微笑）、fair 一般（平脸）；无等级为 null",
        "current grade with its face; null when not graded")
    dynamic_grade_zh: str | None = F("动态等级（中文）", "current grade in Chinese")
    face: Literal["big_smile", "smile", "neutral"] | None = F("笑脸", "face shown on the door sign")
    annual_grade: Literal["A", "B", "C"] | None = F("年度等级（近 12 个月）", "annual grade, last 12 months")
    no_grade_reason: str | None = F("暂不评级的原因", "why there is no grade now")
    last_inspected_on: date | None = F("最近一次检查日期", "last rating inspection")
    stale: bool = F("最近一次检查已超过规定期限", "last inspection is older than the rules allow")


class Kitchen(BaseModel):
    kind: str = F("明厨亮灶方式", "open-kitchen display kind")
    stream_url: str | None = F("互联网直播地址", "live stream link")


class Staff(BaseModel):
    safety_officer: str | None = F("食品安全员", "food safety officer")
    safety_director: str | None = F("食品安全总监", "food safety director")
    responsible_official: str | None = F("包保责任人（监管部门）", "official responsible for the business (包保)")
    responsible_phone: str | None = F("包保责任人工作电话", "the official's work phone")


class GradeReply(BaseModel):
    text: str = F("商户对等级的书面回应（经审核后公开）", "the business's written reply on its grade, published after review")
    received_on: date = F("收到日期", "received on")


class Business(BaseModel):
    id: int = F("商户编号（本站）", "business id on this portal")
    name: str = F("名称", "name")
    credit_code: str | None = F("统一社会信用代码", "unified social credit code")
    licence_no: str | None = F("许可证编号", "food business or production licence number")
    sector: str = F("业态：餐饮服务、食品销售、食品生产", "sector: catering, retail, production")
    sector_code: Literal["catering", "retail", "production"] = F(
        "业态代码：catering 餐饮服务，retail 食品销售，production 食品生产", "sector as a stable code")
    business_type: str = F("经营类型，如 餐馆、学校食堂", "business type")
    address: str = F("地址", "address")
    district_adcode: str = F("区县代码", "district adcode")
    district_name: str = F("区县名称", "district name")
    lat: float = F("纬度（WGS-84）", "latitude, WGS-84")
    lng: float = F("经度（WGS-84）", "longitude, WGS-84")
    location_approximate: bool = F("位置仅为区县中心", "only the district is known")
    rating: Rating | None = F("量化分级（仅餐饮服务）", "food-safety rating, catering only")
    kitchen: Kitchen | None = F("明厨亮灶", "open-kitchen display")
    grade_reply: GradeReply | None = F("商户对等级的回应（最新一条已公开的）", "the business's newest published reply on its grade")
    staff: Staff = F("公示牌上的食品安全人员（登记库有时）", "staff named on the door sign, where the registry has them")
    demo: bool = F("演示数据", "generated demo record")
    updated_at: datetime = F("最后更新（UTC）", "last changed (UTC)")


class ListEntry(BaseModel):
    id: int = F("名单记录编号", "entry id")
    kind: Literal["black", "red"] = F("black 黑榜（严重违法失信名单），red 红榜", "black list or red list")
    business_id: int | None = F("本站商户编号（已匹配时）", "business id when matched")
    business_name: str = F("名称", "name")
    credit_code: str | None = F("统一社会信用代码", "unified social credit code")
    reason: str = F("列入原因", "reason for listing")
    decision_no: str | None = F("处罚决定书文号", "penalty decision number")
    authority: str = F("作出决定机关", "deciding authority")
    listed_on: date = F("列入日期", "listed on")
    early_removal_from: date | None = F("可申请提前移出日期", "may apply for early removal from")
    ends_on: date | None = F("到期移出或表彰期结束日期", "listing ends on")
    demo: bool = F("演示数据", "generated demo record")


class Candidate(BaseModel):
    id: int = F("候选食品编号", "candidate id")
    food: str = F("食品", "food")
    place: str | None = F("购买场所", "where it is bought")
    by_citizen: bool = F("由市民提出", "proposed by a citizen")
    votes: int = F("得票数", "votes")
    selected: bool = F("列入抽检计划", "in the sampling plan")
    batch_ids: list[int] = F("对应的抽检批次（见 /api/v1/sampling/{id}）", "linked sampling batches")


class Round(BaseModel):
    id: int = F("轮次编号", "round id")
    title: str = F("标题", "title")
    phase: Literal["upcoming", "proposals", "review", "voting", "sampling", "published"] = F(
        "阶段：即将开始、征集中、征集结束、投票中、抽检中、已公布", "phase")
    proposal_from: date = F("征集开始", "proposals open")
    proposal_to: date = F("征集截止", "proposals close")
    vote_from: date = F("投票开始", "voting opens")
    vote_to: date = F("投票截止", "voting closes")
    results_due: date = F("预计公布结果", "results expected")
    sample_count: int = F("计划抽检的食品数", "foods to be sampled")
    votes: int = F("总票数", "votes cast")
    voters: int = F("参与人数", "people who voted")
    plan_note: str | None = F("计划说明（与排名不一致时）", "note when the plan departs from the ranking")
    result_summary: str | None = F("结果摘要", "summary of results")
    published_at: datetime | None = F("结果公布时间（UTC）", "results published (UTC)")
    candidates: list[Candidate] = F("候选食品，得票多者在前", "candidates, most votes first")
    demo: bool = F("演示数据", "generated demo record")


class StatsRow(BaseModel):
    key: str = F("分组：类别、区县代码、投诉/举报或月份 YYYY-MM", "group key")
    label: str = F("分组名称", "group name")
    received: int = F("收到", "received")
    accepted: int = F("受理", "accepted")
    finished: int = F("办结", "finished")
    on_time: int = F("按期办结", "finished on time")
    rated: int = F("参与评价", "rated by the citizen")
    satisfied: int = F("满意或基本满意", "satisfied or fairly satisfied")


class ComplaintStats(BaseModel):
    date_from: date | None = F("统计起始日", "period start")
    date_to: date | None = F("统计截止日", "period end")
    received: int = defined("received", "收到")
    accepted: int = defined("accepted", "受理")
    finished: int = defined("finished", "已办结")
    finish_rate: float | None = defined("finish_rate", "办结率 %")
    on_time_rate: float | None = defined("on_time_rate", "按期办结率 %")
    satisfaction: float | None = defined("satisfaction", "满意度 %")
    follow_up_answered: int = defined("follow_up", "回访问卷回答件数")
    follow_up_resolved_rate: float | None = defined("follow_up", "回访：已解决 %")
    follow_up_partly_rate: float | None = defined("follow_up", "回访：部分解决 %")
    follow_up_unresolved_rate: float | None = defined("follow_up", "回访：没有解决 %")
    median_working_days: float | None = defined("median_working_days", "办结用时中位数（工作日）")
    by: str = F("分组方式", "grouping")
    rows: list[StatsRow] = F("分组统计", "grouped counts")
    demo: bool = F("含演示数据", "includes demo records")


class ServiceRequest(BaseModel):
    """Open311 GeoReport v2 field names, where they fit; no personal data."""
    service_request_id: str = F("案件公开编号（不是查询编号）", "public case id, not the tracking number")
    service_code: str = F("类别代码", "category code")
    service_name: str = F("类别", "category")
    service_name_en: str = F("类别（英文）", "category in English")
    kind: Literal["complaint", "report"] = F("complaint 投诉 / report 举报", "complaint or report")
    status: Literal["open", "closed"] = F("open 办理中，closed 已办结", "status")
    status_notes: str = F("办理状态", "detailed status")
    agency_responsible: str = F("承办机关", "agency responsible")
    requested_datetime: datetime = F("收到时间（UTC）", "received (UTC)")
    updated_datetime: datetime = F("最后更新（UTC）", "last changed (UTC)")
    expected_datetime: date | None = F("法定期限（工作日推算）", "legal deadline, counted in working days")
    closed_date: date | None = F("办结日期", "finished on")
    district_adcode: str | None = F("区县代码", "district adcode")
    district_name: str | None = F("区县名称", "district name")
    business_name: str | None = F("被投诉举报单位（仅办结后公开）", "business named, only once finished")
    outcome: str | None = F("办理结果（仅办结后）", "outcome, once finished")
    on_time: bool | None = F("按期办结", "finished within the deadline")
    demo: bool = F("演示数据", "generated demo record")


class MapPointsMeta(BaseModel):
    count: int = F("地图上的单位数", "businesses on the map")
    crs: Literal["wgs84", "gcj02"] = F("坐标系", "coordinate system of lat and lng")
    columns: list[str] = F("每行各列：纬度、经度、等级序号、类型序号、商户编号、距最近检查的月数（无检查为 -1）",
                           "each row: lat, lng, class index, kind index, business id, months since the"
                           " last inspection (-1: none)")
    classes: list[str] = F("等级，按序号", "map classes, by index")
    kinds: list[str] = F("经营类型，按序号", "business types, by index")
    demo: bool = F("含演示数据", "the data holds generated demo records")


class MapPoints(BaseModel):
    meta: MapPointsMeta
    data: list[list[float | int]] = F("每家单位一行，列见 meta.columns", "one row per business, see meta.columns")


class Service(BaseModel):
    service_code: str = F("类别代码", "category code")
    service_name: str = F("类别", "category")
    service_name_en: str = F("类别（英文）", "category in English")


class ErrorBody(BaseModel):
    status: int
    code: str = F("错误代码", "error code")
    message: str = F("说明（中文）", "message in Chinese")
    message_en: str = F("说明（英文）", "message in English")
    problems: list[dict] = F("逐项问题：parameter、message、message_en", "one entry per bad parameter")


class Error(BaseModel):
    error: ErrorBody
