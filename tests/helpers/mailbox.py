"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts."""
from __future__ import annotations

import asyncio
import re
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from helpers.server import free_port


class Mailbox:
    def __init__(self, delay: float = 0.0):
        self.raw: list[bytes] = []
        self.delay = delay
        self._lock = threading.Lock()
        self._parsed: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:        # parsed when read: the server answers as fast as a real one
            self.raw.append(envelope.content)
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            raw = list(self.raw)
        self._parsed += [message_from_bytes(r, policy=policy.default) for r in raw[len(self._parsed):]]
        return list(self._parsed)

    def wait_for(self, count: int, seconds: float = 30) -> list[EmailMessage]:
        deadline = time.time() + seconds
        while len(self.raw) < count and time.time() < deadline:
            time.sleep(0.05)
        return self.messages


def start_mailbox(delay: float = 0.0) -> tuple[Mailbox, Controller, int]:
    mailbox = Mailbox(delay)
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return mailbox, controller, port


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://\S+", message.get_content())
