"""API errors as JSON, in Chinese and English, one entry per bad parameter."""
from __future__ import annotations

from fastapi.responses import JSONResponse

MESSAGES = {
    # pydantic error type: (Chinese, English); {ctx} fields come from the error's context.
    "extra_forbidden": ("没有这个参数", "unknown parameter"),
    "int_parsing": ("应为整数", "must be a whole number"),
    "int_from_float": ("应为整数", "must be a whole number"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "date_from_datetime_parsing": ("应为日期 YYYY-MM-DD", "must be a date, YYYY-MM-DD"),
    "date_parsing": ("应为日期 YYYY-MM-DD", "must be a date, YYYY-MM-DD"),
    "date_from_datetime_inexact": ("应为日期 YYYY-MM-DD", "must be a date, YYYY-MM-DD"),
    "literal_error": ("只能是 {expected}", "must be one of {expected}"),
    "string_too_long": ("最多 {max_length} 个字", "at most {max_length} characters"),
    "too_long": ("最多 {max_length} 个", "at most {max_length} values"),
    "string_pattern_mismatch": ("格式不对", "has the wrong format"),
    "missing": ("必须填写", "is required"),
}

# Where a type's message is too general: what this parameter should look like.
HINTS = {"district": ("应为 6 位数字的区县代码，如 430802，见 /api/v1/businesses 的 district_adcode",
                      "must be a 6-digit district adcode such as 430802")}


def error_response(status: int, code: str, message: str, message_en: str,
                   problems: list[dict] | None = None, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "code": code, "message": message,
                                   "message_en": message_en, "problems": problems or []}},
                        status_code=status, headers=headers)


def _problem(err: dict) -> dict:
    # A repeated parameter's item (kind=…&kind=…) is named by the parameter, not its index.
    loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "path")
           and not isinstance(part, int)]
    parameter = loc[-1] if loc else ""
    ctx = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
    zh, en = MESSAGES.get(err["type"], (None, None))
    if zh is None:
        text = str(err.get("msg", "")).removeprefix("Value error, ")
        zh, en = (text.split(" / ", 1) + [text])[:2] if " / " in text else ("取值不对", text)
    elif parameter in HINTS and err["type"] != "extra_forbidden":
        zh, en = HINTS[parameter]
    else:
        zh, en = zh.format_map(_Default(ctx)), en.format_map(_Default(ctx))
    label = f"参数 {parameter}：" if parameter else ""
    return {"parameter": parameter, "message": f"{label}{zh}",
            "message_en": f"{parameter + ': ' if parameter else ''}{en}"}


class _Default(dict):
    def __missing__(self, key):
        return ""


def validation_response(errors: list[dict]) -> JSONResponse:
    """Unknown parameters: 400. Known parameters with bad values: 422."""
    problems = [_problem(err) for err in errors]
    if errors and all(err["type"] == "extra_forbidden" for err in errors):
        names = "、".join(p["parameter"] for p in problems)
        return error_response(400, "unknown_parameter", f"不认识的参数：{names}。可用参数见 /api/v1/openapi.json",
                              f"Unknown parameter: {', '.join(p['parameter'] for p in problems)}. "
                              "See /api/v1/openapi.json",
                              problems)
    return error_response(422, "invalid_parameter",
                          "；".join(p["message"] for p in problems) or "参数不对",
                          "; ".join(p["message_en"] for p in problems) or "invalid parameter",
                          problems)
