"""Every rule the portal applies, with its source and whether it has been checked against the
law (DOMAIN.md: an unverified rule says so on officials' pages and the about page, never on a
citizen's item page, where it would read as doubt about the result)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.i18n import N_

UNVERIFIED = "未经核实"


@dataclass(frozen=True)
class RuleSource:
    area: str        # an N_ label
    source: str      # the data file's own words, without a leading "未经核实："
    verified: bool


def _plain(source: str) -> str:
    return source.removeprefix(UNVERIFIED + "：").removeprefix(UNVERIFIED + ":")


def entry(area: str, raw: dict) -> RuleSource:
    return RuleSource(area, _plain(raw["source"]), bool(raw.get("verified")))


def flagged(raw: dict) -> str:
    """A rule's source as officials see it: "未经核实：…" unless it has been checked."""
    rule = entry("", raw)
    return rule.source if rule.verified else f"{UNVERIFIED}：{rule.source}"


def all_rules(session: Session | None = None) -> list[RuleSource]:
    """The rules of data/*/rules.json (and the complaint deadline sets, with an admin's
    overrides when a session is given), unverified ones first."""
    from portal.complaints.rules import rule_sets
    from portal.sampling.rules import rules as sampling_rules
    from portal.lists.rules import rules as list_rules
    from portal.ratings.rules import rules as rating_rules
    from portal.rapid_tests.rules import rules as rapid_rules

    found = []
    for area, load in ((N_("抽检结果"), sampling_rules), (N_("量化分级"), rating_rules),
                       (N_("红黑榜"), list_rules), (N_("快检公示"), rapid_rules)):
        found += [entry(area, raw) for raw in load().values()
                  if isinstance(raw, dict) and "source" in raw]
    found += [RuleSource(N_("投诉举报"), f"{s.name}：{_plain(s.source)}", s.verified)
              for s in rule_sets(session)]
    return sorted(found, key=lambda r: r.verified)
