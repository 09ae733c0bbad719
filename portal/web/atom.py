"""Entries to an Atom document (RFC 4287), written by feedgen, and the bounded cache of
rendered documents.

Links: with PORTAL_PUBLIC_URL set they are absolute (that address + the page). Without it
they are relative to the feed's own address (`../sampling?batch=1` from /feeds/sampling.atom),
which a reader resolves against the URL it fetched: the Host header of a request never gets
into a document that caches and readers pass on. Ids are URNs (feed_entries.entry_id).
"""
from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from feedgen.feed import FeedGenerator

from portal.web.feed_entries import Entry, entry_id

MAX_ENTRIES = 128               # rendered documents kept per process
MAX_BYTES = 16 * 1024 * 1024    # and their bytes in all
# What XML 1.0 cannot carry (lxml refuses it): a keyword or an imported name holding one must
# not turn a feed into an error.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return NOT_XML.sub("", text)


@dataclass(frozen=True)
class Feed:
    path: str           # the feed's path below the site root, e.g. feeds/sampling.atom
    query: str          # its query string ("" when none), part of its self link
    title: str
    subtitle: str
    page: str           # the portal page the feed stands for


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str
    last_modified: datetime | None   # aware UTC


def link(public_url: str, feed_path: str, page: str) -> str:
    """The address of a portal page as the feed at feed_path writes it (see the module doc)."""
    if public_url:
        return f"{public_url}/{page}"
    return "../" * feed_path.count("/") + page


def render(feed: Feed, entries: list[Entry], *, public_url: str, jurisdiction: str, author: str,
           version_time: datetime | None) -> bytes:
    generator = FeedGenerator()
    generator.id(entry_id(jurisdiction, f"feed/{feed.path}?{feed.query}"))
    generator.title(xml_text(feed.title))
    generator.subtitle(xml_text(feed.subtitle))
    generator.author({"name": xml_text(author)})
    generator.language("zh-CN")
    own_name = feed.path.rsplit("/", 1)[-1]
    self_href = f"{public_url}/{feed.path}" if public_url else own_name
    generator.link(href=self_href + (f"?{feed.query}" if feed.query else ""), rel="self",
                   type="application/atom+xml")
    generator.link(href=link(public_url, feed.path, feed.page), rel="alternate", type="text/html")
    newest = max([e.updated for e in entries], default=None) or version_time \
        or datetime(2000, 1, 1, tzinfo=timezone.utc)
    generator.updated(newest)
    for entry in reversed(entries):      # feedgen puts the last added first
        item = generator.add_entry()
        item.id(entry_id(jurisdiction, entry.key))
        item.title(xml_text(entry.title))
        item.summary(xml_text(entry.summary))
        item.link(href=link(public_url, feed.path, entry.page), rel="alternate", type="text/html")
        item.updated(entry.updated)
    return generator.atom_str(pretty=False)


class FeedCache:
    """Rendered feeds keyed on (feed, filters, data version), least recently used dropped
    first, at most max_entries documents and max_bytes in all: no number of distinct filters
    fills memory. One build at a time; a caller that waits longer than `wait` gets Busy."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES, wait: float = 5.0):
        self.max_entries, self.max_bytes, self.wait = max_entries, max_bytes, wait
        self._entries: OrderedDict[tuple, Rendered] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._build = threading.Lock()

    def get(self, key: tuple) -> Rendered | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple, rendered: Rendered) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes -= len(old.body) if old else 0
            self._entries[key] = rendered
            self._bytes += len(rendered.body)
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._bytes

    def fetch(self, key: tuple, build: Callable[[], bytes], last_modified: datetime | None,
              admit: Callable[[], None] = lambda: None) -> Rendered:
        """The cached document, or one built now (admit raises to refuse a build)."""
        found = self.get(key)
        if found is not None:
            return found
        admit()
        if not self._build.acquire(timeout=self.wait):
            raise Busy
        try:
            found = self.get(key)       # built by the caller we waited for
            if found is None:
                body = build()
                # The ETag names the bytes, not the version: a write elsewhere that leaves this
                # feed as it was still answers a reader's If-None-Match with 304.
                found = Rendered(body, hashlib.sha256(body).hexdigest()[:32], last_modified)
                self.put(key, found)
            return found
        finally:
            self._build.release()


class Busy(Exception):
    """The build slot stayed taken for the whole wait."""
