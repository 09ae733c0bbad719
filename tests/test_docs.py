"""Every setting, command and route is documented (in the spirit of Datasette's documentation
tests): README.md or a page under docs/ names each setting the portal reads (as `PORTAL_X`),
each `python -m portal` command with each of its options, and each route the server answers
besides the pages (the st.App routes in streamlit_app.py, the API's routes inside them). A new
one fails here until it is written down."""
from __future__ import annotations

import argparse
import importlib.util
import re
from types import SimpleNamespace

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def documented() -> str:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages if page.is_file())


def setting_names() -> set[str]:
    """The settings portal/config.py reads: every PORTAL_* name it spells out, and, should the
    settings become a pydantic-settings model, its fields' environment names."""
    from portal import config

    names = set(re.findall(r"\bPORTAL_[A-Z0-9_]*[A-Z0-9]\b", (ROOT / "portal" / "config.py").read_text()))
    fields = getattr(config.Settings, "model_fields", {})
    prefix = getattr(config.Settings, "model_config", {}).get("env_prefix", "")
    for name, field in fields.items():
        alias = getattr(field, "validation_alias", None)
        names.add(alias if isinstance(alias, str) else (field.alias or prefix + name).upper())
    if hasattr(config, "setting_name"):            # the portal's own field -> setting mapping
        names |= {config.setting_name(name) for name in fields}
    return names


def test_every_setting_is_documented(documented):
    names = setting_names()
    assert len(names) >= 20, names        # the reader found them (25 when this was written)
    assert not sorted(n for n in names if f"`{n}`" not in documented)


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(words after `python -m portal`, parser) for every command that runs something."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, sub in action.choices.items():
            yield from commands(sub, (*path, name))


def usage_lines(documented: str, path: tuple[str, ...]) -> list[str]:
    """The lines showing `python -m portal <path>` (a word may be one of `a|b|c`), each with the
    indented lines that continue it."""
    words = "".join(rf"\s+(?:[\w-]+\|)*{re.escape(w)}(?:\|[\w-]+)*" for w in path)
    pattern = re.compile(rf"python -m portal{words}(?![\w-])")
    lines, found = documented.splitlines(), []
    for i, line in enumerate(lines):
        if pattern.search(line):
            block = [line]
            for following in lines[i + 1:]:
                if not following.startswith(" ") or not following.strip():
                    break
                block.append(following)
            found.append("\n".join(block))
    return found


def test_every_command_and_option_is_documented(documented):
    from portal.cli import build_parser

    found = list(commands(build_parser()))
    assert len(found) >= 10, found
    missing = []
    for path, parser in found:
        shown = usage_lines(documented, path)
        if not shown:
            missing.append(" ".join(path))
            continue
        options = [o for a in parser._actions for o in a.option_strings
                   if o.startswith("--") and o != "--help"]
        missing += [f"{' '.join(path)} {o}" for o in options
                    if not any(re.search(rf"{re.escape(o)}(?![\w-])", s) for s in shown)]
    assert not missing, f"not shown as `python -m portal …` in README.md or docs/: {missing}"


def server_routes(monkeypatch, tmp_path) -> list:
    """The routes streamlit_app.py gives st.App, read by running its import path with st.App
    replaced by a recorder (settings pointed at a throw-away folder)."""
    import streamlit

    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'docs.sqlite3'}")
    monkeypatch.setenv("PORTAL_DEMO", "0")
    monkeypatch.setattr(streamlit, "App", lambda script, routes=(), **kw: SimpleNamespace(routes=list(routes)))
    spec = importlib.util.spec_from_file_location("streamlit_app_routes", ROOT / "streamlit_app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app.routes


def endpoints(routes, prefix: str = ""):
    """(methods, path) of every route, mounted applications' routes included."""
    for route in routes:
        inner = getattr(getattr(route, "app", None), "routes", None)
        if inner is not None and not hasattr(route, "methods"):    # a Mount
            yield from endpoints(inner, prefix + route.path)
        else:
            yield set(route.methods or {"GET"}) - {"HEAD"}, prefix + route.path


def test_every_route_is_documented(documented, monkeypatch, tmp_path):
    """An API path is documented as itself (`/api/v1/sampling/{id}`: any name in the braces);
    a route that is not a GET with its method (`POST /browser-token`)."""
    def plain(text: str) -> str:
        return re.sub(r"\{[^}/]*\}", "{}", text)

    text = plain(documented)
    found = list(endpoints(server_routes(monkeypatch, tmp_path)))
    assert len(found) >= 12, found
    missing = []
    for methods, path in found:
        ends = r"(?![\w/{])"
        if methods <= {"GET"}:
            ok = re.search(re.escape(plain(path)) + ends, text)
        else:
            ok = all(re.search(rf"{m} {re.escape(plain(path))}{ends}", text) for m in methods)
        if not ok:
            missing.append(f"{'/'.join(sorted(methods))} {path}")
    assert not missing, f"routes not in README.md or docs/: {missing}"
