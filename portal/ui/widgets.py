"""Small shared widgets."""
from __future__ import annotations

import re

import streamlit as st

from portal.i18n import N_, t
from portal import i18n
from portal.validation import InputError, Message
from portal.ui.page_links import page_link, with_visitor_settings

DEMO_TEXT = N_("演示数据：本页的经营主体、数字和结果由程序随机生成，仅用于演示，"
                "不是真实的登记、抽检或执法信息。")


def demo_notice(show: bool) -> None:
    """Said where the figures are (UX.md), not only in a footer."""
    if show:
        st.warning(t(DEMO_TEXT), icon=":material/science:")


def photo_uploader(key: str):
    """Citizens' photos, with the limits in the visitor's language in the label and help
    (Streamlit 1.67's own "Drag and drop files here", "Browse files" and "Limit … per file"
    texts cannot be changed; max_upload_size makes its limit agree with ours)."""
    from portal.complaints.photos import MAX_BYTES, MAX_PHOTOS

    mb = MAX_BYTES // 1024 // 1024
    return st.file_uploader(t("照片（可选，最多 {n} 张，JPG/PNG，每张不超过 {mb} MB）", n=MAX_PHOTOS, mb=mb),
                            key=key, type=["jpg", "jpeg", "png"], accept_multiple_files=True,
                            max_upload_size=mb, help=t("照片中的拍摄地点等信息会在保存前自动去除。"))


def attached_photos(key: str) -> list[tuple[bytes, str]]:
    """The photos of photo_uploader(key) as (content, file name).

    Streamlit keeps uploaded files in the server's memory only. After a restart the browser
    reconnects and still shows the photos' names, but the server has lost their bytes (the
    widget's state holds a DeletedFile for each): raise InputError asking the citizen to attach
    them again, which is the one thing that helps; everything else typed is kept."""
    from streamlit.runtime.uploaded_file_manager import DeletedFile

    files = st.session_state.get(key) or []
    if any(isinstance(f, DeletedFile) for f in files):
        raise InputError({"photos": Message(
            "照片需要重新添加：服务器刚刚重启过，没有保存之前选择的照片。请点照片名称旁的 × 把它去掉，"
            "再重新选择照片，然后提交；您填写的其他内容都还在。")})
    return [(f.getvalue(), f.name) for f in files]


def page_cards(specs) -> None:
    """A card per page: its link and, when it has one, its one-line blurb (nav.PageSpec)."""
    for spec in specs:
        with st.container(border=True):
            page_link(spec.path, label=f"**{t(spec.label)}**", icon=spec.icon)
            if spec.blurb:
                st.caption(t(spec.blurb))


def id_param(params: dict, key: str) -> int | None:
    """A positive whole number from the URL, or None for anything else (never an error)."""
    raw = str(params.get(key, ""))
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**62 else None




def list_address(search: dict[str, str], params: dict[str, str], first_page: int = 1) -> dict[str, str]:
    """A list's own address: its search and, past the first, the page it shows. The items it
    links to carry it, so that their 返回 link and Back come back to the same search and page."""
    page = id_param(params, "page")
    return search | ({"page": str(page)} if page is not None and page > first_page else {})


def show_address(params: dict[str, str] | None = None) -> None:
    """Puts an item view's own URL in the browser's address bar (and its history), so that it
    can be copied, bookmarked and shared, and Back returns to the list. A `st.page_link` to the
    same page with query parameters reruns the script with them but leaves the address bar as
    it was; the next widget click would then rerun with the old address (the list). Setting
    `st.query_params` sends the address to the browser, which pushes it onto its history.
    params: the item's parameters (default: the ones this run was given); the language and 大字版
    parameters are kept."""
    st.query_params.from_dict(with_visitor_settings(st.query_params.to_dict() if params is None else params))


def localise(message) -> str:
    """A domain message in the visitor's language: Messages by their template (a {label}
    value is a field's name, translated too), plain texts when the catalog has them. Other
    text values may be what someone typed or a file's name (a photo's), so they are escaped:
    the result is shown as markdown."""
    if isinstance(message, Message):
        values = {k: t(v) if k == "label" else md(v) if isinstance(v, str) else v
                  for k, v in message.values.items()}
        return t(message.template, **values)
    return t(str(message))


def show_errors(exc: InputError, labels: dict[str, str]) -> None:
    """One message at the top listing each field and how to fix it. labels: field → its
    Chinese name (translated here)."""
    lines = [f"- **{t(labels.get(field, field))}**{': ' if i18n.english() else '：'}{localise(message)}"
             for field, message in exc.errors.items()]
    st.error(t("请修改以下内容后再提交：") + "\n" + "\n".join(lines))


# Every ASCII punctuation character may be backslash-escaped in CommonMark, and escaping all of
# them leaves no markdown, HTML, directive (:red[…]), math ($…$) or footnote syntax in the text.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit's renderer looks for web addresses, e-mail addresses, :material/…: icons and :emoji:
# shortcodes in the text *after* escapes are undone, so escaping alone would leave them live (and a
# backslash-escaped address became a link with the backslashes in it). An invisible WORD JOINER
# after ':' and '@' and between "www" and '.' breaks those patterns without changing what is shown.
_WORD_JOINER = "\u2060"
_WWW_DOT = re.compile(r"(?i)(www)(?=\\\.)")


def md(text: str | None) -> str:
    """Text from imported files or from citizens, shown inert wherever Streamlit renders markdown
    (bodies, titles, captions, labels, help): no links, images, HTML, colours, icons, emoji or math
    made from it. Addresses in it stay readable as plain text, without backslashes. Line breaks
    become spaces."""
    if not text:
        return ""
    out = _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(str(text).splitlines()))
    out = out.replace("\\:", "\\:" + _WORD_JOINER).replace("\\@", "\\@" + _WORD_JOINER)
    return _WWW_DOT.sub(r"\1" + _WORD_JOINER, out)


def table_on_demand(label: str, frame, key: str) -> None:
    """A table in an expander, sent only once the visitor opens it (opening reruns the page):
    most visitors read the chart above it and never open it. frame: a data frame, or a
    function making it (called only when the table is opened)."""
    box = st.expander(label, key=key, on_change="rerun")
    with box:
        if box.open:
            st.dataframe(frame() if callable(frame) else frame, hide_index=True, width="stretch")


def download_buttons(frame, stem: str, sheet: str, as_of, columns: list[tuple[str, str]],
                     spec_version: str, extra_notes: list[str] = ()) -> None:
    """CSV and XLSX of an open-data table; the XLSX carries the date, spec and column notes."""
    from portal.exports import to_csv_bytes, to_xlsx_bytes

    notes = [f"数据日期：{as_of.isoformat()}", f"列规范版本：{spec_version}", *extra_notes] + \
        [f"{name}：{meaning}" for name, meaning in columns]
    stamp = as_of.strftime("%Y%m%d")
    # Callables: the files are made when someone clicks, not on every rerun of the page.
    st.download_button(t("下载 CSV"), lambda: to_csv_bytes(frame), file_name=f"{stem}_{stamp}.csv",
                       mime="text/csv")
    st.download_button(t("下载 Excel（XLSX）"), lambda: to_xlsx_bytes(frame, sheet, notes),
                       file_name=f"{stem}_{stamp}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# The confirmation of an action whose page reruns to show the new state: kept for the next
# run, which page_setup shows as a toast. (A toast sent just before st.rerun() is sometimes
# dropped with the rest of the interrupted run.)
DONE_NOTICE = "action_done"


def run_action(ctx, action, *args, labels: dict[str, str], done: str, rerun: bool = False) -> bool:
    """Run one official action in one transaction: errors listed (what was typed stays),
    caches cleared on success, then a confirmation (and a rerun to show the new state)."""
    from portal.ui import cached

    try:
        with ctx.db.write() as session:
            action(session, ctx.actor, *args)
    except InputError as exc:
        show_errors(exc, labels)
        return False
    cached.clear()
    if rerun:
        st.session_state[DONE_NOTICE] = done
        st.rerun()
    st.success(done)
    return True


def feed_link(href: str) -> None:
    """The link a page shows to its Atom feed (portal/web/feeds.py serves it).
    href: a path from portal.feed_paths (relative and URL-encoded: no markdown in it)."""
    st.markdown(f":material/rss_feed: [{t('订阅更新（Atom）')}]({href})",
                help=t("把这个地址加到阅读器（RSS/Atom）里，有新的信息时会看到。"))
