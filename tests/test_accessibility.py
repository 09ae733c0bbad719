"""Accessibility that can be checked without a browser: contrast of every theme and map
colour (WCAG AA), characters on map pins, a table beside every public chart. The browser
checks (phone width, keyboard) are in test_browser.py."""
from __future__ import annotations

import ast
import re
import tomllib

from conftest import ROOT
from portal.maps import CLASSES, PIN_CSS, PIN_LETTERS
from portal.ui import nav
from portal.ui.contrast import contrast

AA_TEXT, AA_GRAPHIC = 4.5, 3.0
THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
NAMED = ("red", "orange", "yellow", "blue", "green", "violet", "gray")


def test_contrast_matches_known_values():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54   # the classic AA grey
    assert contrast("#ffffff", "#ffffff") == 1.0


def test_theme_text_colours_reach_aa_on_every_background():
    backgrounds = [THEME["backgroundColor"], THEME["secondaryBackgroundColor"]]
    for name in ("textColor", "primaryColor", "linkColor"):
        for background in backgrounds:
            assert contrast(THEME[name], background) >= AA_TEXT, (name, background)
    for colour in NAMED:
        text = THEME[f"{colour}TextColor"]
        for background in backgrounds + [THEME[f"{colour}BackgroundColor"]]:
            assert contrast(text, background) >= AA_TEXT, (colour, background)


def test_map_pins_carry_a_character_readable_on_their_colour():
    assert set(PIN_LETTERS) == {name for name, _, _ in CLASSES}
    assert len(set(PIN_LETTERS.values())) == len(PIN_LETTERS)   # tells every class apart
    for name, colour, label in CLASSES:
        assert contrast("#ffffff", colour) >= AA_TEXT, name
        assert name in label or name == "非餐饮"
        assert f"background:{colour}" in PIN_CSS


def test_chart_colours_used_for_text_reach_aa():
    # Colours given to chart marks that draw text (labels, target notes) in public views.
    for path in ("portal/ui/sampling_views.py", "portal/ui/survey_views.py",
                 "portal/ui/round_views.py", "portal/ui/complaint_stats_views.py"):
        source = (ROOT / path).read_text()
        for colour in re.findall(r'mark_text\([^)]*color="(#[0-9a-fA-F]{6})"', source):
            assert contrast(colour, THEME["backgroundColor"]) >= AA_TEXT, (path, colour)


CHARTS = ("altair_chart", "vega_lite_chart", "bar_chart", "line_chart", "area_chart", "chart")
# table_on_demand: the same table under the chart, sent once the visitor opens it.
TABLES = ("dataframe", "table", "table_on_demand")


def _calls(tree) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            found.append((node.lineno, name))
    return sorted(found)


def test_every_public_chart_has_a_table_next_to_it():
    public = [p.path for p in nav.PAGES if p.section == nav.PUBLIC and p.path.startswith("pages/")]
    charts_seen = 0
    for path in public:
        calls = _calls(ast.parse((ROOT / path).read_text()))
        for i, (line, name) in enumerate(calls):
            if name in CHARTS:
                charts_seen += 1
                following = [n for ln, n in calls[i + 1:] if ln <= line + 4]
                assert any(n in TABLES for n in following), f"{path}:{line} has no table view"
    assert charts_seen >= 4      # every chart call site on the public pages
