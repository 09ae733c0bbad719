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
        self.messages: list[EmailMessage] = []
        self.delay = delay
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 30) -> list[EmailMessage]:
        deadline = time.time() + seconds
        while len(self.messages) < count and time.time() < deadline:
            time.sleep(0.05)
        return list(self.messages)


def start_mailbox(delay: float = 0.0) -> tuple[Mailbox, Controller, int]:
    mailbox = Mailbox(delay)
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return mailbox, controller, port


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://\S+", message.get_content())
