"""The FastAPI application mounted at /api/v1 (see streamlit_app.py).

Routes that read the database are plain `def`: FastAPI runs them in its thread pool, so a
query never blocks the event loop that also serves every Streamlit session."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timezone
from email.utils import format_datetime
from typing import Annotated
from urllib.parse import urlencode

import pandas as pd
from fastapi import FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal.api import params as p
from portal.api import rapid_records as rapid
from portal.api import records, schemas, test_rooms
from portal.clients import client_address
from portal.api.errors import error_response, validation_response
from portal.api.limits import Busy, QuerySlots
from portal.client_window import ClientWindow
from portal.api.map_points import add_route as add_map_points_route
from portal.bootstrap import Portal
from portal.exports import to_csv_bytes
from portal.http_dates import unchanged_since
from portal.timeutil import local_today, utcnow

log = logging.getLogger(__name__)
VERSION = "1.0.0"
ERRORS = {400: {"model": schemas.Error, "description": "不认识的参数 / unknown parameter"},
          422: {"model": schemas.Error, "description": "参数取值不对 / invalid parameter value"},
          429: {"model": schemas.Error, "description": "请求过于频繁 / too many requests"},
          503: {"model": schemas.Error, "description": "服务繁忙 / busy, retry later"}}
CSV = {200: {"description": "JSON；format=csv 时为 CSV / JSON, or CSV with format=csv",
             "content": {"text/csv": {"schema": {"type": "string"}}}}}
NOT_FOUND = {404: {"model": schemas.Error, "description": "没有这条记录 / no such record"}}

DESCRIPTION = """食品安全公开数据接口（第 1 版）。Open data of the food-safety portal, version 1.

- 列表接口用 `limit`（1–500）和 `offset` 分页，`format=csv` 返回 CSV（UTF-8 带 BOM）。
  List endpoints page with `limit` (1–500) and `offset`; `format=csv` returns CSV.
- 每个响应带 `Last-Modified`，支持 `If-Modified-Since`。Every response carries Last-Modified.
- 每个客户端每分钟最多 {per_minute} 次请求，超出返回 429 和 `Retry-After`。
  At most {per_minute} requests per minute per client; beyond that 429 with Retry-After.
- 错误以 JSON 返回（`error.message` 中文，`error.message_en` 英文）：不认识的参数 400，取值不对 422。
- `meta.demo` 为 true 时数据是演示数据，不是真实结果。When `meta.demo` is true the data is generated.
- 投诉举报只公开类别、状态、日期、区县和办理结果，不含任何个人信息。
  Complaint cases carry category, status, dates, district and outcome: never personal data.
- 第 1 版内字段含义和类型不变，只会新增字段。Within v1 fields never change meaning; new ones may be added.
"""


def create_api(portal: Callable[[], Portal], *, per_minute: int, trusted_proxy: bool,
               slots: QuerySlots | None = None, public_url: str = "") -> FastAPI:
    """portal: returns the process's Portal (created on first use). slots: database queries
    at once (4 by default: two cores, and the pages need threads too). public_url: the site's
    configured address (PORTAL_PUBLIC_URL) that the index's links start with; empty, they are
    paths on whatever host the client reached."""
    window = ClientWindow(per_minute)
    slots = slots or QuerySlots(4)
    api = FastAPI(title="食品安全公开数据接口 Food-safety open data API", version=VERSION,
                  description=DESCRIPTION.format(per_minute=per_minute),
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None, responses=ERRORS)

    @api.middleware("http")
    async def limit_per_client(request: Request, call_next):
        client = client_address(request.client.host if request.client else None,
                                request.headers, trusted_proxy)
        verdict = window.check(client)
        headers = {"X-RateLimit-Limit": str(verdict.limit),
                   "X-RateLimit-Remaining": str(verdict.remaining)}
        if not verdict.allowed:
            return error_response(
                429, "too_many_requests",
                f"请求过于频繁：每分钟最多 {verdict.limit} 次，请 {verdict.retry_after} 秒后再试",
                f"Too many requests: at most {verdict.limit} a minute; retry in "
                f"{verdict.retry_after} s", headers=headers | {"Retry-After": str(verdict.retry_after)})
        response = await call_next(request)
        response.headers.update(headers)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @api.exception_handler(RequestValidationError)
    def on_bad_parameters(request: Request, exc: RequestValidationError):
        return validation_response(list(exc.errors()))

    @api.exception_handler(StarletteHTTPException)
    def on_http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return error_response(404, "not_found", "没有这个地址或记录。可用接口见 /api/v1/openapi.json",
                                  "No such path or record. See /api/v1/openapi.json")
        if exc.status_code == 405:
            return error_response(405, "method_not_allowed", "开放数据接口只接受 GET 请求",
                                  "The open-data API only answers GET")
        return error_response(exc.status_code, "http_error", str(exc.detail), str(exc.detail))

    @api.exception_handler(Busy)
    def on_busy(request: Request, exc: Busy):
        return error_response(503, "busy", "服务繁忙，请稍后再试", "Busy, please retry shortly",
                              headers={"Retry-After": "5"})

    @api.exception_handler(Exception)
    def on_failure(request: Request, exc: Exception):
        log.exception("API request failed: %s", request.url.path)
        return error_response(500, "internal_error", "服务器出错，已记录，请稍后再试",
                              "Server error, logged; please retry later")

    def answer(request: Request, modified: Callable, build: Callable, *, model,
               page: p.Page | None = None, fmt: str = "json", csv_record=None,
               csv_rows: Callable = lambda body: body):
        """Read under a query slot; Last-Modified and If-Modified-Since; JSON or CSV."""
        current = portal()
        with slots.slot(), current.db.read() as session:
            last = modified(session)
            if last is not None:     # a clock ahead on some writer must not stop caching
                last = min(last, utcnow())
            stamp = _http_date(last)
            headers = {"Cache-Control": "public, max-age=60"} | ({"Last-Modified": stamp} if stamp else {})
            if stamp and unchanged_since(request.headers.get("if-modified-since"), last):
                return Response(status_code=304, headers=headers)
            body = build(session, current)
        if body is None:
            return error_response(404, "not_found", "没有这条记录", "No such record", headers=headers)
        if page is not None:
            total, data = body
            fmt = page.format
            body = {"meta": _meta(request, current, page, total, data, last), "data": data}
            csv_rows = lambda body: body["data"]  # noqa: E731
        if fmt == "csv":
            return _csv(csv_rows(body), csv_record, headers, request)
        # Validating against the published model keeps every answer to the field spec.
        return Response(model.model_validate(body).model_dump_json(), media_type="application/json",
                        headers=headers)

    @api.get("/", summary="接口目录 / index")
    def index(request: Request):
        # Never the request's Host header: a forged one would put another site's address in
        # an answer that caches and clients pass on.
        base = public_url + request.scope.get("root_path", "")
        return {"version": VERSION, "openapi": f"{base}/openapi.json",
                "endpoints": [f"{base}{route.path}" for route in api.routes
                              if getattr(route, "include_in_schema", False) and route.path != "/"]}

    @api.get("/sampling", response_model=schemas.Page[schemas.SamplingBatch], responses=CSV,
             summary="抽检批次 / sampling batches", tags=["抽检 sampling"])
    def sampling_list(request: Request, params: Annotated[p.SamplingParams, Query()]):
        return answer(request, records.sampling_modified,
                      lambda s, _: records.sampling_page(s, params), page=params,
                      model=schemas.Page[schemas.SamplingBatch],
                      csv_record=schemas.SamplingBatch)

    @api.get("/sampling/{batch_id}", response_model=schemas.SamplingBatch, responses=NOT_FOUND,
             summary="一个抽检批次 / one batch", tags=["抽检 sampling"])
    def sampling_one(request: Request, batch_id: Annotated[int, Path(ge=1, le=2**31 - 1)]):
        return answer(request, records.sampling_modified,
                      lambda s, _: records.sampling_one(s, batch_id), model=schemas.SamplingBatch)

    @api.get("/businesses", response_model=schemas.Page[schemas.Business], responses=CSV,
             summary="食品经营主体、量化分级和明厨亮灶 / businesses with grades",
             tags=["商户 businesses"])
    def business_list(request: Request, params: Annotated[p.BusinessParams, Query()]):
        return answer(request, records.business_modified,
                      lambda s, c: records.business_page(s, c.profile.adcode, params, local_today()),
                      page=params, model=schemas.Page[schemas.Business],
                      csv_record=schemas.Business)

    @api.get("/businesses/{business_id}", response_model=schemas.Business, responses=NOT_FOUND,
             summary="一家经营主体 / one business", tags=["商户 businesses"])
    def business_one(request: Request, business_id: Annotated[int, Path(ge=1, le=2**31 - 1)]):
        return answer(request, records.business_modified,
                      lambda s, c: records.business_one(s, c.profile.adcode, business_id, local_today()),
                      model=schemas.Business)

    add_map_points_route(api, portal, slots, trusted_proxy=trusted_proxy)

    @api.get("/lists", response_model=schemas.Page[schemas.ListEntry], responses=CSV,
             summary="红黑榜（当前有效）/ red and black lists in force", tags=["红黑榜 lists"])
    def list_entries(request: Request, params: Annotated[p.ListParams, Query()]):
        return answer(request, records.list_modified,
                      lambda s, c: records.list_page(s, c.profile.adcode, params, local_today()),
                      page=params, model=schemas.Page[schemas.ListEntry],
                      csv_record=schemas.ListEntry)

    @api.get("/rapid-tests", response_model=schemas.Page[rapid.RapidTest], responses=CSV,
             summary="农贸市场快检结果（初筛阳性在前）/ markets' rapid tests, positives first",
             tags=["快检 rapid tests"])
    def rapid_tests(request: Request, params: Annotated[rapid.RapidParams, Query()]):
        return answer(request, rapid.modified, lambda s, _: rapid.page(s, params), page=params,
                      model=schemas.Page[rapid.RapidTest], csv_record=rapid.RapidTest)

    @api.get("/rounds", response_model=schemas.Page[schemas.Round], responses=CSV,
             summary="你点我检轮次和结果 / citizen-chosen sampling rounds", tags=["你点我检 rounds"])
    def round_list(request: Request, params: Annotated[p.RoundParams, Query()]):
        return answer(request, records.round_modified,
                      lambda s, _: records.round_page(s, params, local_today()), page=params,
                      model=schemas.Page[schemas.Round],
                      csv_record=schemas.Round)

    @api.get("/rounds/{round_id}", response_model=schemas.Round, responses=NOT_FOUND,
             summary="一轮你点我检 / one round", tags=["你点我检 rounds"])
    def round_one(request: Request, round_id: Annotated[int, Path(ge=1, le=2**31 - 1)]):
        return answer(request, records.round_modified,
                      lambda s, _: records.round_one(s, round_id, local_today()),
                      model=schemas.Round)

    @api.get("/complaints/stats", response_model=schemas.ComplaintStats, responses=CSV,
             summary="投诉举报办理统计 / complaint handling statistics",
             tags=["投诉举报 complaints"])
    def complaint_stats(request: Request, params: Annotated[p.StatsParams, Query()]):
        return answer(request, records.complaint_modified,
                      lambda s, _: records.complaint_stats_record(s, params),
                      fmt=params.format, csv_rows=lambda body: body["rows"], csv_record=schemas.StatsRow,
                      model=schemas.ComplaintStats)

    @api.get("/services", response_model=list[schemas.Service],
             summary="投诉举报类别（Open311 services）/ case categories",
             tags=["投诉举报 complaints"])
    def service_list():
        return records.services()

    @api.get("/requests", response_model=schemas.Page[schemas.ServiceRequest], responses=CSV,
             summary="投诉举报案件（Open311 风格，无个人信息）/ cases, Open311 style, no personal data",
             tags=["投诉举报 complaints"])
    def request_list(request: Request, params: Annotated[p.RequestParams, Query()]):
        return answer(request, records.complaint_modified,
                      lambda s, c: records.request_page(s, params, c.profile.bureau), page=params,
                      model=schemas.Page[schemas.ServiceRequest],
                      csv_record=schemas.ServiceRequest)

    @api.get("/test-rooms", response_model=schemas.Page[test_rooms.TestRoom], responses=CSV,
             summary="快检室：地址、开放时间、检测项目和预约时段 / testing rooms citizens can book",
             tags=["快检 rapid tests"])
    def test_room_list(request: Request, params: Annotated[test_rooms.TestRoomParams, Query()]):
        return answer(request, test_rooms.modified,
                      lambda s, c: test_rooms.room_page(
                          s, c.profile.adcode, params, {d.adcode: d.name for d in c.profile.districts},
                          local_today()),
                      page=params, model=schemas.Page[test_rooms.TestRoom], csv_record=test_rooms.TestRoom)

    return api


def _http_date(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return format_datetime(moment.replace(tzinfo=timezone.utc, microsecond=0), usegmt=True)


def _meta(request: Request, portal: Portal, page: p.Page, total: int, data: list,
          last: datetime | None) -> dict:
    following = page.offset + page.limit
    next_url = None
    if following < total:
        query = dict(request.query_params) | {"offset": str(following), "limit": str(page.limit)}
        next_url = f"{request.url.path}?{urlencode(query)}"
    demo = any(row.get("demo") for row in data) or bool(portal.settings.demo and not data)
    notice = (f"数据来自{portal.profile.bureau}公开信息，使用时请注明来源。"
              f" Data published by {portal.profile.bureau}; please credit the source.")
    if demo:
        notice = ("演示数据：由程序生成，不是真实结果，不得作为真实信息引用。"
                  " Demo data: generated, not real results; do not cite as real. ") + notice
    return {"total": total, "limit": page.limit, "offset": page.offset, "next": next_url,
            "demo": demo, "notice": notice, "last_modified": last}


def _flat(value):
    if isinstance(value, list):
        return "；".join("║".join(_flat(v) if isinstance(v, list) else ("" if v is None else str(v))
                                 for v in item.values())
                        if isinstance(item, dict) else str(item) for item in value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return "" if value is None else value


def csv_columns(record) -> list[tuple[str, str | None]]:
    """(column, nested field) per CSV column, from the record model: the same columns on every
    page, whatever the page holds. A nested object (rating) becomes rating_<field> columns."""
    columns = []
    for name, field in record.model_fields.items():
        nested = next((a for a in getattr(field.annotation, "__args__", (field.annotation,))
                       if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if nested is not None and not _is_list(field.annotation):
            columns.extend((f"{name}_{sub}", sub) for sub in nested.model_fields)
        else:
            columns.append((name, None))
    return columns


def _is_list(annotation) -> bool:
    return getattr(annotation, "__origin__", None) is list


def _csv(rows: list[dict], record, headers: dict, request: Request) -> Response:
    """Columns from the record model; lists are joined with “；”, a listed object's values
    with “║” (as in the portal's download files). Written by exports.to_csv_bytes."""
    columns = csv_columns(record)
    cells = []
    for row in rows:
        line = []
        for name, sub in columns:
            if sub is None:
                value = row.get(name)
            else:
                parent = row.get(name[: -len(sub) - 1])
                value = parent.get(sub) if parent else None
            line.append(_flat(value))
        cells.append(line)
    # dtype=object: a column of whole numbers with gaps stays "3" and "", not "3.0" and "".
    frame = pd.DataFrame(cells, columns=[name for name, _ in columns], dtype=object)
    name = request.url.path.rstrip("/").split("/")[-1] or "data"
    return Response(to_csv_bytes(frame), media_type="text/csv; charset=utf-8",
                    headers=headers | {"Content-Disposition": f'attachment; filename="{name}.csv"'})
