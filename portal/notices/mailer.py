"""SMTP from PORTAL_SMTP_URL: smtp://user:pass@host:587 (STARTTLS when offered, or required
with ?starttls=require; ?starttls=off for a local relay) or smtps://user:pass@host:465."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit


class TemporaryFailure(Exception):
    """Try again later (the server is away, busy, or said 4xx)."""


class PermanentFailure(Exception):
    """The server refused this recipient (5xx): a bounce."""


def sender_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


class SmtpTransport:
    """One connection for a batch of messages (`with SmtpTransport(url) as smtp: smtp.send(m)`)."""

    def __init__(self, url: str, timeout: float = 30):
        parts = urlsplit(url)
        self.secure = parts.scheme == "smtps"
        self.host, self.port = parts.hostname or "localhost", parts.port or (465 if self.secure else 25)
        self.user, self.password = unquote(parts.username or ""), unquote(parts.password or "")
        self.starttls = parse_qs(parts.query).get("starttls", ["auto"])[0]
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpTransport":
        context = ssl.create_default_context()
        try:
            if self.secure:
                self.smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                self.smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                self.smtp.ehlo()
                if self.starttls != "off" and self.smtp.has_extn("starttls"):
                    self.smtp.starttls(context=context)
                    self.smtp.ehlo()
                elif self.starttls == "require":
                    raise TemporaryFailure("the SMTP server does not offer STARTTLS")
            if self.user:
                self.smtp.login(self.user, self.password)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TemporaryFailure(f"SMTP connection: {exc}") from exc
        return self

    def send(self, message: EmailMessage) -> None:
        try:
            refused = self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0]
            raise (PermanentFailure if code >= 500 else TemporaryFailure)(f"refused: {code}") from exc
        except smtplib.SMTPResponseException as exc:
            # The sender or the message refused (a misconfigured relay, say), not this
            # recipient: tried again with backoff, never counted against the address (three
            # such "bounces" would erase every subscriber).
            raise TemporaryFailure(f"{exc.smtp_code} {exc.smtp_error[:200]!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(str(exc)[:200]) from exc
        if refused:
            raise PermanentFailure(f"refused: {refused}")

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def __exit__(self, *exc) -> None:
        self.close()
