"""Errors carry a Message everywhere: every field error an action raises is a Message (its
Chinese template and values), so a page shows one type in the visitor's language."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from portal.validation import InputError, Message, message_of, not_future, parse

ROOT = Path(__file__).resolve().parents[1]


def plain_text_errors(source: str) -> list[int]:
    """Lines where InputError({...}) is given text built at the raise site (a literal, an
    f-string, str(...) or a concatenation) instead of a Message."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "InputError"
                and node.args and isinstance(node.args[0], ast.Dict)):
            for value in node.args[0].values:
                for part in ([value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]):
                    if (isinstance(part, (ast.Constant, ast.JoinedStr, ast.BinOp))
                            or (isinstance(part, ast.Call) and getattr(part.func, "id", None) == "str")):
                        lines.append(part.lineno)
    return lines


def test_the_check_finds_plain_text():
    assert plain_text_errors('raise InputError({"a": "文字", "b": f"{x}", "c": str(e), "d": "a" + b})') == [1, 1, 1, 1]
    assert plain_text_errors('raise InputError({"a": Message("文字"), "b": message_of(e)})') == []


def test_no_action_raises_plain_text():
    found = [f"{path.relative_to(ROOT)}:{line}"
             for path in sorted((ROOT / "portal").rglob("*.py"))
             for line in plain_text_errors(path.read_text(encoding="utf-8"))]
    assert not found, "InputError with plain text instead of a Message:\n" + "\n".join(found)


def test_input_error_keeps_messages_and_wraps_plain_text():
    error = InputError({"a": Message("最多 {n} 个", n=3), "b": "旧文字"})
    assert all(isinstance(m, Message) for m in error.errors.values())
    assert error.errors["a"].template == "最多 {n} 个" and error.errors["a"].values == {"n": 3}
    assert error.errors["b"] == "旧文字"


def test_message_of_keeps_the_template_of_a_check():
    with pytest.raises(ValueError) as raised:
        not_future(None, "检查日期")
    message = message_of(raised.value)
    assert (message, message.template, message.values) == ("请填写检查日期", "请填写{label}",
                                                           {"label": "检查日期"})
    assert message_of(ValueError("纯文字")).template == "纯文字"


def test_parse_gives_messages_for_plain_validators():
    from pydantic import BaseModel, field_validator

    class Form(BaseModel):
        n: int

        @field_validator("n")
        @classmethod
        def _n(cls, value):
            if value > 5:
                raise ValueError("不能超过 5")
            return value

    with pytest.raises(InputError) as raised:
        parse(Form, {"n": 9})
    assert isinstance(raised.value.errors["n"], Message) and raised.value.errors["n"] == "不能超过 5"


def rewrapped_checks(source: str) -> list[int]:
    """Lines of `try: ... clean_text(...) ... except ValueError: raise InputError(...)`: the
    copy that portal.validation.checked replaces."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Try):
            continue
        calls = {getattr(n.func, "id", None) for stmt in node.body for n in ast.walk(stmt)
                 if isinstance(n, ast.Call)}
        raises = {getattr(getattr(n.exc, "func", None), "id", None) for handler in node.handlers
                  for stmt in handler.body for n in ast.walk(stmt) if isinstance(n, ast.Raise)}
        if calls & {"clean_text", "not_future"} and "InputError" in raises:
            lines.append(node.lineno)
    return lines


def test_checks_are_turned_into_input_errors_in_one_place():
    assert rewrapped_checks("try:\n    x = clean_text(v, 'a', max_len=1)\nexcept ValueError as e:\n"
                            "    raise InputError({'a': message_of(e)})") == [1]
    found = [f"{path.relative_to(ROOT)}:{line}"
             for path in sorted((ROOT / "portal").rglob("*.py"))
             for line in rewrapped_checks(path.read_text(encoding="utf-8"))]
    assert not found, "use portal.validation.checked instead of try/except around a check:\n" + "\n".join(found)


def test_checked_names_the_field_and_keeps_the_message():
    from portal.validation import checked, clean_text

    assert checked("note", clean_text, "  好 ", "说明", max_len=5) == "好"
    with pytest.raises(InputError) as raised:
        checked("note", clean_text, "太长的说明文字", "说明", max_len=3)
    message = raised.value.errors["note"]
    assert message.template == "{label}最多 {n} 个字（现在 {now} 个）"
    assert message.values == {"label": "说明", "n": 3, "now": 7}
