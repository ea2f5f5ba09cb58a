"""Outgoing mail: every message goes to the outbox table; with SMTP configured it is sent too."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from app.extensions import db
from app.models import OutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str
    password: str
    starttls: bool
    sender: str

    @property
    def enabled(self) -> bool:
        return bool(self.host)


def write(user_id: int | None, to: str, subject: str, body: str, *, now: datetime) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction."""
    message = OutboxMessage(
        user_id=user_id, to_address=to, subject=subject, body_text=body, created_at=now
    )
    db.session.add(message)
    return message


def deliver(messages: list[OutboxMessage], smtp: SmtpSettings, *, now: datetime) -> int:
    """Send committed outbox messages over one SMTP connection; record each outcome."""
    if not messages:
        return 0
    if not smtp.enabled:
        for message in messages:
            log.info("outbox (no SMTP configured): to %s: %s", message.to_address, message.subject)
        return 0
    sent = 0
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as connection:
            if smtp.starttls:
                connection.starttls()
            if smtp.username:
                connection.login(smtp.username, smtp.password)
            for message in messages:
                email = EmailMessage()
                email["From"] = smtp.sender
                email["To"] = message.to_address
                email["Subject"] = message.subject
                email.set_content(message.body_text)
                try:
                    connection.send_message(email)
                except smtplib.SMTPException as error:
                    message.status, message.error = "failed", str(error)
                    log.warning("mail to %s failed: %s", message.to_address, error)
                else:
                    message.status, message.sent_at = "sent", now
                    sent += 1
    except (OSError, smtplib.SMTPException) as error:
        log.error("SMTP %s:%s unreachable: %s", smtp.host, smtp.port, error)
        for message in messages:
            if message.status == "outbox":
                message.status, message.error = "failed", f"SMTP unreachable: {error}"
    db.session.commit()
    return sent
