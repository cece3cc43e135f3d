"""The email adapter: one SMTP session per digest with aiosmtplib.

aiosmtplib rather than the standard library's :mod:`smtplib`: it runs on the event loop,
so a slow server blocks no thread and a shutdown cancels a session cleanly (a blocking
``smtplib`` call on a worker thread cannot be interrupted), with the same STARTTLS,
implicit TLS and login. Every failure of the server or the network becomes an
:class:`~academichub.briefer.domain.sending.Outcome`: a 4xx answer, a refused or dropped
connection, or a timeout is worth another attempt; a 5xx answer (a refused recipient,
sender or message) and a failed login are not.
"""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from academichub.briefer.domain.sending import Outcome
from academichub.delivery.settings import DeliverySettings


class SmtpMailer:
    def __init__(self, settings: DeliverySettings) -> None:
        if settings.smtp_host is None:
            raise ValueError("SmtpMailer needs DELIVERY_SMTP_HOST")
        self._host = settings.smtp_host
        self._port = settings.port
        self._security = settings.smtp_security
        self._user = settings.smtp_user
        self._password = settings.smtp_password
        self._timeout = settings.smtp_timeout_seconds

    @property
    def describe(self) -> str:
        return f"{self._host}:{self._port} ({self._security})"

    async def send(self, message: EmailMessage) -> Outcome:
        try:
            errors, answer = await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                use_tls=self._security == "ssl",
                start_tls=self._security == "starttls",
                username=self._user,
                password=self._password.get_secret_value() if self._password else None,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPAuthenticationError as exc:
            return Outcome(
                "refused", f"SMTP login refused ({exc.code}): check DELIVERY_SMTP_USER/PASSWORD"
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0] if exc.recipients else None
            code = first.code if first is not None else 550
            return _by_code(code, f"recipient refused: {first.message if first else exc}")
        except aiosmtplib.SMTPResponseException as exc:
            return _by_code(exc.code, exc.message)
        except (aiosmtplib.SMTPException, OSError) as exc:
            # Connection refused or dropped, timeouts, a server without STARTTLS.
            return Outcome("retry", f"{type(exc).__name__}: {exc}")
        if errors:
            refused = "; ".join(f"{who}: {e.code} {e.message}" for who, e in errors.items())
            return Outcome("refused", f"recipient refused: {refused}")
        return Outcome("sent", answer.strip()[:200] or "250")


def _by_code(code: int, message: str) -> Outcome:
    if 400 <= code < 500:
        return Outcome("retry", f"SMTP {code}: {message}")
    return Outcome("refused", f"SMTP {code}: {message}")
