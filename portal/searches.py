"""What every search's input model shares (sampling/schemas.py, registry/schemas.py).

One model per search serves the page, its shared links, the API and the page's cache.
Frozen, so equal searches are equal keys (st.cache_data, dict keys). The API validates it
strictly (a bad value is a 422); a page reads its links through from_params, which drops a
bad value with a message, since a shared link must never end on an error."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from portal.validation import MAX_QUERY, clean_query

REVERSED_PERIOD = "开始日期晚于结束日期，已忽略"


class SearchFilter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Free-text fields: a long value in a link is cut (the API refuses it).
    KEYWORDS: ClassVar[tuple[str, ...]] = ()
    # field -> {value the model keeps: the word the page's links use for it}, where the two
    # differ; the one place where a link's vocabulary meets the model's.
    LINK_WORDS: ClassVar[dict[str, dict[str, str]]] = {}
    # field -> why a bad value in a link was ignored; a field not named falls back silently.
    LINK_PROBLEMS: ClassVar[dict[str, str]] = {
        "district": "区县代码无法识别，已忽略",
        "date_from": "日期“{value}”无法识别，已忽略",
        "date_to": "日期“{value}”无法识别，已忽略",
    }

    @classmethod
    def of(cls, query: BaseModel):
        """The search inside a larger query (the API's adds paging and a format)."""
        return cls.model_validate(query.model_dump(include=set(cls.model_fields)))

    @property
    def is_empty(self) -> bool:
        return self == type(self)()

    def to_params(self) -> dict[str, str]:
        """The page's URL parameters: only what differs from the default, in the words the
        page's links have always used."""
        out = {}
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if value in ("", None) or value == field.default:
                continue
            value = self.LINK_WORDS.get(name, {}).get(value, value)
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, object]):
        """(filter, problems) from a page's URL parameters or form values. Both vocabularies
        are read; each bad value is dropped with a message and long keywords are cut."""
        problems: list[str] = []
        values: dict[str, str] = {}
        for name in cls.model_fields:
            raw = params.get(name)
            if raw in (None, ""):
                continue
            raw = str(raw)
            if name in cls.KEYWORDS:
                if len(raw) > MAX_QUERY and "查询条件过长，已截短" not in problems:
                    problems.append("查询条件过长，已截短")
                raw = clean_query(raw, MAX_QUERY)
            codes = {word: code for code, word in cls.LINK_WORDS.get(name, {}).items()}
            values[name] = codes.get(raw, raw)
        while True:
            try:
                return cls.model_validate(values), problems
            except ValidationError as exc:
                before = len(values)
                for error in exc.errors():
                    if error["loc"]:   # one field
                        name = str(error["loc"][0])
                        if name in values and name in cls.LINK_PROBLEMS:
                            problems.append(cls.LINK_PROBLEMS[name].format(value=values[name][:20]))
                        values.pop(name, None)
                    else:              # the whole model: a period that ends before it starts
                        problems.append(REVERSED_PERIOD)
                        values.pop("date_from", None)
                        values.pop("date_to", None)
                if len(values) == before:   # nothing left to drop: the defaults are valid
                    raise
