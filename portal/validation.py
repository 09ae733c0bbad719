"""Server-side input validation with messages in Chinese that say what to fix."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Callable, TypeVar

from pydantic import (AfterValidator, BaseModel, BeforeValidator, Field, ValidationError,
                      model_validator)

from portal.timeutil import local_today

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

Model = TypeVar("Model", bound=BaseModel)
Checked = TypeVar("Checked")


class Message(str):
    """A message for the reader: the Chinese text, remembering its template and values so
    that a page can show it in the visitor's language (portal.ui.widgets.localise)."""

    template: str
    values: dict

    def __new__(cls, template: str, /, **values):
        message = super().__new__(cls, template.format(**values) if values else template)
        message.template, message.values = template, values
        return message


class InputError(ValueError):
    """Bad input: `errors` maps each field to a Message saying how to fix it."""

    def __init__(self, errors: dict[str, Message]):
        super().__init__("；".join(errors.values()))
        # Plain text (a joined list, a table reader's message) becomes a Message too, so a page
        # handles one type; texts written at the raise site are Messages (tests/test_messages.py).
        self.errors = {field: message if isinstance(message, Message) else Message(str(message))
                       for field, message in errors.items()}


def message_of(exc: ValueError) -> Message:
    """The Message a check raised (clean_text, a validator), for an InputError; a check
    that raised plain text gets it wrapped, so every field error is a Message."""
    first = exc.args[0] if exc.args else str(exc)
    return first if isinstance(first, Message) else Message(str(first))


def clean_text(value: object, label: str, *, min_len: int = 0, max_len: int,
               multiline: bool = False) -> str:
    """Normalise and check free text: NUL and control characters are refused (PostgreSQL
    refuses NUL; bidi overrides disguise text), length is counted after trimming."""
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text).strip()
    if not multiline and ("\n" in text or "\r" in text):
        raise ValueError(Message("{label}不能换行", label=label))
    if _CONTROL.search(text):
        raise ValueError(Message("{label}含有不可见的控制字符，请删除后重试", label=label))
    if len(text) < min_len:
        raise ValueError(Message("请填写{label}", label=label) if min_len <= 1
                         else Message("{label}至少需要 {n} 个字", label=label, n=min_len))
    if len(text) > max_len:
        raise ValueError(Message("{label}最多 {n} 个字（现在 {now} 个）", label=label, n=max_len,
                                 now=len(text)))
    return text


def checked(field: str, check: Callable[..., Checked], *args, **kwargs) -> Checked:
    """Run one check of an action's input (clean_text, not_future, ...) and turn its
    ValueError into an InputError on `field`, keeping the check's own Message:
    `note = checked("note", clean_text, note, "审核说明", max_len=300)`. Forms with several
    fields use one pydantic model and parse() instead."""
    try:
        return check(*args, **kwargs)
    except ValueError as exc:
        raise InputError({field: message_of(exc)}) from None


def CleanText(label: str, *, min_len: int = 0, max_len: int, multiline: bool = False):
    """A form field type: free text checked by clean_text, e.g.
    `description: CleanText("问题描述", min_len=10, max_len=2000, multiline=True)`."""
    return Annotated[str, BeforeValidator(
        lambda value: clean_text(value, label, min_len=min_len, max_len=max_len, multiline=multiline))]


def clean_query(value: object, max_len: int = 50) -> str:
    """A search box or URL keyword: control characters dropped (PostgreSQL refuses NUL),
    trimmed and capped; never an error, since a search should just find less."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", str(value or ""))).strip()[:max_len]


MAX_QUERY = 50
Keyword = Annotated[str, Field(max_length=MAX_QUERY), AfterValidator(clean_query)]
"""A search keyword in an input model: longer is refused, the rest cleaned as clean_query."""
Adcode = Annotated[str, Field(pattern=r"^(\d{6})?$",
                              description="区县行政区划代码（6 位数字）/ district adcode (6 digits)")]


class Period(BaseModel):
    """From one day to another, both included, either left open. Searches and the API's
    statistics share it, so a reversed period is refused in the same words everywhere."""
    date_from: date | None = Field(None, description="起始日期 YYYY-MM-DD（含）/ from this day, inclusive")
    date_to: date | None = Field(None, description="截止日期 YYYY-MM-DD（含）/ up to this day, inclusive")

    @model_validator(mode="after")
    def _ordered(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from 晚于 date_to / date_from is after date_to")
        return self


def parse(model: type[Model], data: dict) -> Model:
    """Validate `data` into `model`; raise InputError with one Chinese message per field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "_"
            original = (err.get("ctx") or {}).get("error")
            if isinstance(original, ValueError):
                message = message_of(original)
            else:
                message = Message(err.get("msg", "").removeprefix("Value error, "))
            if err.get("type") == "missing":
                message = Message("此项必填")
            elif err.get("type", "").endswith(("_parsing", "_type")):
                message = Message("格式不对，请重新填写")
            errors.setdefault(field, message)
        raise InputError(errors) from None


def not_future(value: date | None, label: str) -> date:
    """A day that must be given and must not lie after today (in the portal's time zone)."""
    if value is None:
        raise ValueError(Message("请填写{label}", label=label))
    if value > local_today():
        raise ValueError(Message("{label}不能晚于今天", label=label))
    return value


# Deliberately plain: one @, a dot in the domain, no spaces or angle brackets (the address
# goes into a mail header); the mail server has the last word.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+")


def normalise_email(raw: object) -> str | None:
    """An e-mail address in lower case, or None when it is not one."""
    text = str(raw or "").strip()
    # "=?" starts an RFC 2047 encoded word, which a mail library decodes inside the header
    # (into line breaks, say): never part of an address a person types.
    if len(text) > 254 or not _EMAIL.fullmatch(text) or "=?" in text:
        return None
    # Lower case throughout: mail servers treat local parts so in practice, and one address
    # must not pass a limit again by changing its case.
    return text.lower()
