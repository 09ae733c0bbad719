"""A lean Streamlit visitor for benchmarks: one websocket session, one page, closed when the
script has finished.

The benchmark client shares the 2 cores with the servers it measures, so every CPU second
it spends is taken from them. The `websockets` library parsed and framed each message in
Python and the client decoded every ForwardMsg in full; this speaks the websocket protocol
(RFC 6455) on asyncio streams itself and reads only the top-level fields of each ForwardMsg:
enough to count the deltas drawn and to see `script_finished`. What it sends is what a
browser's first load sends (a BackMsg `rerun_script`); the server cannot tell the two apart.
"""
from __future__ import annotations

import asyncio
import base64
import os
import struct
import time
from typing import NamedTuple

# ForwardMsg's top-level fields (streamlit/proto/ForwardMsg.proto) as protobuf tags:
# field 5 `delta` (length-delimited) and field 6 `script_finished` (varint enum).
DELTA_FIELD = 5
SCRIPT_FINISHED_FIELD = 6
FINISHED_SUCCESSFULLY = 0


class Visit(NamedTuple):
    seconds: float      # until the script finished
    elements: int       # deltas drawn
    bytes: int          # what the server sent over the websocket


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def top_level(message: bytes) -> tuple[int, int | None]:
    """(deltas, script_finished status or None) of one ForwardMsg, without decoding its
    nested messages: a ForwardMsg carries exactly one of them, so deltas is 0 or 1."""
    pos, end = 0, len(message)
    deltas, finished = 0, None
    while pos < end:
        tag, pos = _varint(message, pos)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = _varint(message, pos)
            if field == SCRIPT_FINISHED_FIELD:
                finished = value
        elif wire == 2:
            length, pos = _varint(message, pos)
            pos += length
            if field == DELTA_FIELD:
                deltas += 1
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
    return deltas, finished


def _frame(opcode: int, payload: bytes) -> bytes:
    """A client frame: FIN, opcode, masked payload (RFC 6455 5.2)."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
    masked = (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big")
    return head + mask + masked


def rerun_request(host: str, port: int, page: str, query: str) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    state = message.rerun_script
    state.query_string = query
    state.page_name = page
    state.context_info.url = f"http://{host}:{port}/{page}" + (f"?{query}" if query else "")
    state.context_info.timezone = "Asia/Shanghai"
    state.context_info.locale = "zh-CN"
    return message.SerializeToString()


async def visit(host: str, port: int, page: str, query: str, source: str = "127.0.0.1",
                request: bytes | None = None) -> Visit:
    """One first visit: seconds until the script finished, elements drawn, bytes sent."""
    request = request if request is not None else rerun_request(host, port, page, query)
    start = time.perf_counter()
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, local_addr=(source, 0)), 60)
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}:{port}\r\n"
                      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Protocol: streamlit\r\n\r\n").encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"/{page}?{query}: no websocket: {head[:80]!r}")
        writer.write(_frame(0x2, request))
        elements = sent = 0
        parts: list[bytes] = []
        while True:
            b0, b1 = await reader.readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", await reader.readexactly(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", await reader.readexactly(8))[0]
            payload = await reader.readexactly(n) if n else b""
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise RuntimeError(f"/{page}?{query}: the server closed the session")
            if opcode == 0x9:
                writer.write(_frame(0xA, payload))
                continue
            if opcode == 0xA:
                continue
            parts.append(payload)
            if not b0 & 0x80:          # a fragment: the message goes on in the next frame
                continue
            message = parts[0] if len(parts) == 1 else b"".join(parts)
            parts = []
            sent += len(message)
            deltas, finished = top_level(message)
            elements += deltas
            if finished is not None and finished != 2:     # 2: FINISHED_EARLY_FOR_RERUN
                if finished != FINISHED_SUCCESSFULLY:
                    raise RuntimeError(f"/{page}?{query}: script finished with {finished}")
                return Visit(time.perf_counter() - start, elements, sent)
    finally:
        try:
            writer.write(_frame(0x8, struct.pack("!H", 1000)))
        except (ConnectionError, RuntimeError):
            pass
        writer.close()
