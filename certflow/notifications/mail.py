"""Sending e-mail: to an SMTP server in production, to a folder or the console by default."""

from __future__ import annotations

import os
import smtplib
import uuid
from email.message import EmailMessage

from flask import current_app

SENT: list[EmailMessage] = []  # the "memory" backend, for tests of rendering only


def send_email(message: EmailMessage) -> None:
    """Send ``message`` with the configured backend (smtp, file, console or memory); raise if it was not taken."""
    cfg = current_app.config
    backend = cfg["MAIL_BACKEND"]
    if backend == "smtp":
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg.get("MAIL_TIMEOUT", 30)) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(message)
    elif backend == "file":
        folder = cfg["MAIL_FILE_DIR"]
        os.makedirs(folder, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("/", "_").replace("@", "_at_")
        # A name of its own per sending: a message sent twice shows as two files, never one overwritten.
        path = os.path.join(folder, f"{name}.{uuid.uuid4().hex[:8]}.eml")
        with open(path + ".part", "wb") as fh:
            fh.write(bytes(message))
        os.replace(path + ".part", path)
    elif backend == "console":
        print(message.as_string(), flush=True)
    else:
        SENT.append(message)
