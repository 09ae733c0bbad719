"""How much a browser session may upload: an ASGI middleware on the portal's st.App.

Streamlit's upload endpoint (`PUT /_stcore/upload_file/{session}/{file}`) keeps every file in
the process's memory until the session ends, up to `server.maxUploadSize` (50 MB) a file and
with no total, for any visitor. Citizens only ever attach photos of at most 5 MB, so:

- an anonymous session may hold at most ANONYMOUS.per_file a file and ANONYMOUS.per_session in
  all (what it holds, plus what it is uploading at the moment);
- a signed-in official (the `portal_official` cookie naming a live sign-in session,
  portal.official_session) may upload files up to OFFICIAL.per_file (the importers' announcement
  files), OFFICIAL.per_session in all;
- anonymous uploads of the whole process together stop at ANONYMOUS_PROCESS_CEILING: a stranger
  opening many sessions fills that, not the server's memory (others are then asked to retry).

A request is refused (413) from its Content-Length before its body is read, and a body without
one (chunked) is counted as it arrives and cut off (413) as soon as it passes its allowance.
What sessions hold is read from Streamlit's own upload manager (which frees it when a session
ends or deletes a file); the middleware itself keeps only the uploads in progress (one entry per
session with a request open, removed when the request ends), so a stranger's made-up session
ids cost nothing once their request is answered.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from anyio import to_thread
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.responses import PlainTextResponse

MB = 1024 * 1024
# Multipart framing around the file (boundaries, the part's headers): a few hundred bytes.
FRAMING = 64 * 1024
UPLOAD_PATH = re.compile(r"(?:^|/)_stcore/upload_file/([^/]+)/([^/]+)/?$")


@dataclass(frozen=True)
class Allowance:
    per_file: int
    per_session: int


ANONYMOUS = Allowance(per_file=5 * MB, per_session=20 * MB)
OFFICIAL = Allowance(per_file=50 * MB, per_session=100 * MB)
# About sixty citizens' photos held at once; with Streamlit and the pages this keeps a
# process well under 1 GB whatever strangers send.
ANONYMOUS_PROCESS_CEILING = 300 * MB


def _refuse(status: int, text: str) -> PlainTextResponse:
    return PlainTextResponse(text, status_code=status, headers={"Connection": "close"})


class UploadLimits:
    """held(session_id, except_file_id) -> bytes that session's files hold now;
    held_total() -> bytes all sessions' files hold; is_official(cookies) -> bool (blocking:
    it reads the database, so it runs in a worker thread)."""

    def __init__(self, app, *, held: Callable[[str, str], int], held_total: Callable[[], int],
                 is_official: Callable[[Mapping[str, str]], bool]):
        self.app = app
        self.held, self.held_total, self.is_official = held, held_total, is_official
        self.uploading: dict[str, int] = {}     # session id -> bytes allowed to requests open now
        self.uploading_anonymous = 0

    async def __call__(self, scope, receive, send):
        match = UPLOAD_PATH.search(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope["method"] != "PUT":
            await self.app(scope, receive, send)
            return
        session_id, file_id = match.groups()
        headers = Headers(scope=scope)
        cookies = cookie_parser(headers.get("cookie", ""))
        official = bool(cookies) and await to_thread.run_sync(self.is_official, cookies)
        allowance = OFFICIAL if official else ANONYMOUS
        session_room = allowance.per_session - self.held(session_id, file_id) \
            - self.uploading.get(session_id, 0)
        process_room = session_room if official else \
            ANONYMOUS_PROCESS_CEILING - self.held_total() - self.uploading_anonymous
        allowed = min(allowance.per_file, session_room, process_room) + FRAMING
        declared = headers.get("content-length")
        if declared is not None and not declared.isdigit():
            await _refuse(400, "Invalid Content-Length")(scope, receive, send)
            return
        size = int(declared) if declared is not None else allowed
        if allowed <= FRAMING or size > allowed:
            if process_room < min(allowance.per_file, session_room):
                await _refuse(503, "Busy: many uploads at once, retry later")(scope, receive, send)
            else:
                await _refuse(413, "File too large, or this session holds too many files")(scope, receive, send)
            return
        # What the request may bring is reserved for it while it runs.
        self.uploading[session_id] = self.uploading.get(session_id, 0) + size
        self.uploading_anonymous += 0 if official else size
        received = 0

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > size:
                    raise HTTPException(status_code=413, detail="File too large")
            return message

        try:
            await self.app(scope, counted_receive, send)
        finally:
            left = self.uploading[session_id] - size
            if left:
                self.uploading[session_id] = left
            else:
                del self.uploading[session_id]
            self.uploading_anonymous -= 0 if official else size
