"""/b/{id}/badge.svg: a small badge a business may embed on its website or delivery listing
(inside a link to its door page), with its name and current grade. Written here with every
text escaped (Jinja2 does not autoescape .svg templates); no script, no external reference."""
from __future__ import annotations

from html import escape

from portal.i18n import t
from portal.ratings.rules import Rating

MEDIA_TYPE = "image/svg+xml; charset=utf-8"
NAME_CHARS = 18
COLOURS = {"优秀": "#1a7f37", "良好": "#0b5cad", "一般": "#a85a00"}
FONT = "'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif"


def _width(text: str, size: float) -> float:
    """Roughly how wide text draws: CJK a full em, other characters about 0.6."""
    return sum(size if ord(c) > 0x2E80 else 0.6 * size for c in text)


def badge(name: str, rating: Rating | None, demo: bool) -> str:
    name = " ".join(name.split())
    name = name if len(name) <= NAME_CHARS else name[:NAME_CHARS - 1] + "…"
    if rating is None:
        grade, colour = t("不参加量化分级"), "#555555"
    elif rating.dynamic:
        grade = t(rating.dynamic) + (f" · {t(rating.face)}" if rating.face else "")
        colour = COLOURS[rating.dynamic]
    else:
        grade, colour = t("暂不评级"), "#555555"
    title = t("食品安全等级") + (f"（{t('演示数据')}）" if demo else "")
    width = round(max(_width(name, 13), _width(grade, 15), _width(title, 10)) + 20)
    label = f"{name} {title} {grade}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="62" viewBox="0 0 {width} 62" '
        f'role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>"
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="61" rx="6" fill="#fff" stroke="{colour}"/>'
        f'<rect x="0" y="40" width="{width}" height="22" rx="6" fill="{colour}"/>'
        f'<rect x="0" y="40" width="{width}" height="8" fill="{colour}"/>'
        f'<g font-family="{FONT}">'
        f'<text x="10" y="15" font-size="10" fill="#555">{escape(title)}</text>'
        f'<text x="10" y="33" font-size="13" font-weight="bold" fill="#111">{escape(name)}</text>'
        f'<text x="10" y="56" font-size="15" font-weight="bold" fill="#fff">{escape(grade)}</text>'
        "</g></svg>")
