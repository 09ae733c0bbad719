"""The 公示牌: a printable A5 PDF for a business's door, with its face, grade, inspection day,
the bureau's name and a QR code to its door page (/b/{id}?s=<sticker code>), drawn by fpdf2.

One document holds one business or many (a district, one page each), so the door route
(portal/web/door.py, /b/{id}/sign.pdf) and the publishers' print page share it. The sign is
in Chinese, always: it hangs at a door in China (the door page it opens has English).

The font is Noto Sans CJK SC from the system package fonts-noto-cjk (installed by .ci/run and
the deployment notes in README.md; SIL Open Font License), embedded as a subset of the glyphs
a document uses: NotoSansCJK-Regular.ttc and NotoSansCJK-Bold.ttc in one of FONT_DIRS.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import segno
from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import feed_paths
from portal.accounts import audit
from portal.accounts.permissions import authorize
from portal.accounts.rules import Actor
from portal.ratings.queries import ratings_for
from portal.ratings.rules import Rating
from portal.ratings.stickers import sign as sign_sticker
from portal.registry.models import CATERING, Business
from portal.registry.records import staff_of
from portal.timeutil import cn_date, local_today
from portal.validation import InputError, Message

# Where Debian/Ubuntu (fonts-noto-cjk), Fedora (google-noto-sans-cjk-fonts) and Arch
# (noto-fonts-cjk) put the collections.
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/google-noto-sans-cjk-vf-fonts",
             "/usr/share/fonts/google-noto-cjk", "/usr/share/fonts/noto-cjk")
FONT_FAMILY = "Noto Sans CJK SC"
PAGE = (148, 210)          # A5 portrait, mm
MARGIN = 12
NAME_CHARS = 60            # longer names are cut (a name is at most 200 characters)
# Grade colours as on the door page (door.css), a face besides: never colour alone.
COLOURS = {"优秀": (26, 127, 55), "良好": (11, 92, 173), "一般": (168, 90, 0), None: (85, 85, 85)}
MEDIA_TYPE = "application/pdf"
RATED_SECTOR = CATERING
MAX_PAGES = 5000           # one district's document at most (the print page says so)


class FontMissing(RuntimeError):
    """fonts-noto-cjk is not installed (and PORTAL_SIGN_FONT_DIR names no folder with it)."""


@lru_cache(maxsize=2)
def _font(weight: str) -> tuple[str, int]:
    """The font file and the index of the Simplified Chinese face in the collection."""
    from fontTools.ttLib import TTCollection

    for folder in FONT_DIRS:
        path = Path(folder) / f"NotoSansCJK-{weight}.ttc"
        if path.is_file():
            collection = TTCollection(str(path), lazy=True)
            for index, face in enumerate(collection.fonts):
                if face["name"].getDebugName(1) == FONT_FAMILY:
                    return str(path), index
    raise FontMissing(f"{FONT_FAMILY} ({weight}) not found: install fonts-noto-cjk")


@dataclass(frozen=True)
class SignContent:
    """What one page shows (plain text: the PDF has no markup to escape into)."""
    business_id: int
    name: str
    address: str
    demo: bool
    rated: bool               # in the scheme (餐饮服务)
    grade: str | None         # 优秀 / 良好 / 一般; None: 暂不评级 or not rated
    face: str | None
    annual: str | None
    inspected_on: date | None
    printed_on: date
    url: str                  # the QR code's target
    staff: tuple[tuple[str, str], ...] = ()    # (label, text) lines, e.g. 食品安全员


def sign_url(base_url: str, secret_key: str, business_id: int, grade: str | None, printed_on: date) -> str:
    code = sign_sticker(secret_key, business_id, grade, printed_on)
    return f"{base_url.rstrip('/')}/{feed_paths.door(business_id)}?s={code}"


def contents(session: Session, businesses: list[Business], today: date, base_url: str,
             secret_key: str) -> list[SignContent]:
    """Each business's sign as of today, in the order given."""
    ratings = ratings_for(session, businesses, today)
    out = []
    for business in businesses:
        found = ratings.get(business.id)
        rating: Rating | None = found.rating if found else None
        grade = rating.dynamic if rating else None
        out.append(SignContent(
            business_id=business.id, name=business.name, address=business.address or "",
            demo=business.is_demo, rated=found is not None, grade=grade,
            face=rating.face if rating else None, annual=rating.annual if rating else None,
            inspected_on=rating.last_inspected_on if rating else None, printed_on=today,
            url=sign_url(base_url, secret_key, business.id, grade, today),
            staff=tuple((label, f"{person}　工作电话 {phone}" if phone else person)
                        for label, person, phone in staff_of(business))))
    return out


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())      # no control characters or line breaks from a name
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _add_font(pdf: FPDF) -> None:
    for style, weight in (("", "Regular"), ("B", "Bold")):
        path, index = _font(weight)
        pdf.add_font("cjk", style, fname=path, collection_font_number=index)


def _face(pdf: FPDF, x: float, y: float, radius: float, face: str | None, colour) -> None:
    """大笑 / 微笑 / 平脸 as on the door page: a circle, two eyes and the mouth."""
    pdf.set_draw_color(*colour)
    pdf.set_fill_color(*colour)
    pdf.set_line_width(radius * 0.16)
    pdf.circle(x=x, y=y, radius=radius, style="D")
    eye = radius * 0.14
    for dx in (-0.33, 0.33):
        pdf.circle(x=x + dx * radius, y=y - 0.22 * radius, radius=eye, style="F")
    left, right = x - 0.45 * radius, x + 0.45 * radius
    if face == "大笑":
        mouth = right - left
        pdf.solid_arc(x=left, y=y + 0.1 * radius - mouth / 2, a=mouth, start_angle=0, end_angle=180,
                      clockwise=False, style="DF")
    elif face == "微笑":
        pdf.bezier([(left, y + 0.25 * radius), (x, y + 0.75 * radius), (right, y + 0.25 * radius)])
    else:
        pdf.line(left, y + 0.35 * radius, right, y + 0.35 * radius)


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (sharp at any printer resolution), with its quiet zone."""
    qr = segno.make(url, error="m", micro=False)
    matrix = list(qr.matrix)
    border = 4
    modules = len(matrix) + 2 * border
    unit = size / modules
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(matrix):
        column = 0
        while column < len(cells):
            if cells[column]:
                start = column
                while column < len(cells) and cells[column]:
                    column += 1
                pdf.rect(x + (border + start) * unit, y + (border + row) * unit,
                         (column - start) * unit, unit, style="F")
            else:
                column += 1


def _page(pdf: FPDF, sign: SignContent, bureau: str) -> None:
    pdf.add_page()
    width = PAGE[0] - 2 * MARGIN
    colour = COLOURS.get(sign.grade, COLOURS[None])
    pdf.set_text_color(85, 85, 85)
    pdf.set_font("cjk", "", 11)
    pdf.set_xy(MARGIN, MARGIN)
    pdf.cell(width, 6, _clip(bureau, 40), align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("cjk", "B", 17)
    pdf.set_xy(MARGIN, MARGIN + 8)
    pdf.cell(width, 9, "餐饮服务食品安全等级公示", align="C")
    top = MARGIN + 19
    if sign.demo:
        pdf.set_text_color(180, 0, 0)
        pdf.set_font("cjk", "B", 10)
        pdf.set_xy(MARGIN, top)
        pdf.cell(width, 5, "演示数据：随机生成，不是真实的登记或检查信息", align="C")
        top += 6
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("cjk", "B", 18)
    pdf.set_xy(MARGIN, top + 1)
    pdf.multi_cell(width, 8, _clip(sign.name, NAME_CHARS), align="C", max_line_height=8)
    top = max(pdf.get_y(), top + 9) + 2
    if sign.rated:
        _face(pdf, PAGE[0] / 2, top + 17, 15, sign.face if sign.grade else None, colour)
        pdf.set_text_color(*colour)
        pdf.set_font("cjk", "B", 30)
        pdf.set_xy(MARGIN, top + 35)
        pdf.cell(width, 13, sign.grade or "暂不评级", align="C")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("cjk", "", 11)
        pdf.set_xy(MARGIN, top + 49)
        label = "动态等级" + (f"（{sign.face}）" if sign.grade and sign.face else "")
        pdf.cell(width, 6, f"{label}　·　年度等级 {sign.annual or '—'}", align="C")
        pdf.set_xy(MARGIN, top + 55)
        pdf.cell(width, 6, f"检查日期：{cn_date(sign.inspected_on)}", align="C")
        top += 62
    else:
        pdf.set_font("cjk", "", 12)
        pdf.set_xy(MARGIN, top + 6)
        pdf.multi_cell(width, 7, "本单位不属于餐饮服务，不参加量化分级。", align="C")
        top += 20
    pdf.set_font("cjk", "", 10)
    for label, text in sign.staff:
        pdf.set_xy(MARGIN, top)
        pdf.cell(width, 5.5, _clip(f"{label}：{text}", 50), align="C")
        top += 5.5
    size = 44
    qr_top = PAGE[1] - MARGIN - size - 17
    _qr(pdf, sign.url, (PAGE[0] - size) / 2, qr_top, size)
    pdf.set_font("cjk", "", 10)
    pdf.set_xy(MARGIN, qr_top + size + 1)
    pdf.cell(width, 5, "扫码查看最新等级和抽检结果、投诉举报", align="C")
    pdf.set_text_color(85, 85, 85)
    pdf.set_font("cjk", "", 8)
    pdf.set_xy(MARGIN, qr_top + size + 7)
    pdf.cell(width, 4, f"公示日期：{cn_date(sign.printed_on)}　{_clip(bureau, 30)}监制", align="C")


def render(signs: Iterable[SignContent], bureau: str,
           progress: Callable[[int], None] = lambda done: None) -> bytes:
    """One PDF, one page per sign; progress(done) after each page."""
    pdf = FPDF(unit="mm", format=PAGE)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    _add_font(pdf)
    pdf.set_title("餐饮服务食品安全等级公示")
    pdf.set_author(bureau)
    pdf.set_creator("食品安全信息公开平台")
    for done, sign in enumerate(signs, start=1):
        _page(pdf, sign, bureau)
        progress(done)
    if not pdf.pages:
        raise ValueError("no signs to print")
    return bytes(pdf.output())


def district_count(session: Session, adcode: str) -> int:
    """How many signs printing a district makes: its 餐饮服务 businesses (the rated ones)."""
    return session.scalar(select(func.count()).select_from(Business).where(
        Business.district_adcode == adcode, Business.sector == RATED_SECTOR)) or 0


def print_signs(session: Session, actor: Actor | None, *, base_url: str, secret_key: str, bureau: str,
                business_id: int | None = None, district: str | None = None,
                progress: Callable[[int, int], None] = lambda done, total: None) -> bytes:
    """A publisher prints one business's sign, or a district's (its 餐饮服务 businesses, one
    page each, by name): authorize → validate → draw → audit (which codes were issued, as a
    count and the day). progress(done, total) after each page."""
    authorize(actor, "sign_print")
    if (business_id is None) == (district is None):
        raise InputError({"_": Message("请选择一家单位或一个区县")})
    if business_id is not None:
        business = session.get(Business, business_id)
        if business is None:
            raise InputError({"business": Message("没有找到这家单位")})
        businesses, kind, ident = [business], "business", business_id
    else:
        total = district_count(session, district)
        if not total:
            raise InputError({"district": Message("这个区县没有餐饮服务单位")})
        if total > MAX_PAGES:
            raise InputError({"district": Message("一次最多打印 {n} 张，请分区县打印", n=MAX_PAGES)})
        businesses = list(session.scalars(select(Business).where(
            Business.district_adcode == district, Business.sector == RATED_SECTOR)
            .order_by(Business.name, Business.id)))
        kind, ident = "district", district
    today = local_today()
    signs = contents(session, businesses, today, base_url, secret_key)
    body = render(signs, bureau, lambda done: progress(done, len(signs)))
    audit.record(session, actor, "sign_print", object_type=kind, object_id=ident,
                 detail={"pages": len(signs), "printed_on": today.isoformat()})
    return body
