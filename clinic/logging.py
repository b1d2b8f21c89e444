"""Patient links and query strings never reach a log line.

A patient's signed link (`/p/<token>/`, `/p/u/<token>/`) opens their programme without a login,
and query strings carry search terms (a patient's name, an NHS number). Django's request logger
writes the path of every 4xx and 5xx response, the development server and gunicorn write every
request line and Referer: each passes through `redact` first. The filter is attached to every
handler in settings.LOGGING; clinic/gunicorn_logging.py applies the same function to gunicorn's
access log.
"""

from __future__ import annotations

import logging
import re

LINK = "[link]"
REDACTED = "[redacted]"

# /p/<token>, /p/u/<token>, /p/i/<link> (a self-intake), /p/r/<link> (a self-referral's
# confirmation): everything after /p/ (and u/, i/ or r/) up to
# the next slash, quote, space or query. /p/new-link/ is the one patient path without a token.
_PATIENT_LINK = re.compile(r"/p/(?:[uir]/)?(?!new-link(?:[/?\s\"']|$))[^/?#\s\"'<>]+")
# Any query string, whatever it carries (search terms, names, tokens): from "?" to the end of
# the URL.
_QUERY = re.compile(r"\?[^\s\"'<>]+")


def redact(text: str) -> str:
    """`text` with every patient link and query string replaced."""
    if "/p/" not in text and "?" not in text:
        return text
    return _QUERY.sub("?" + REDACTED, _PATIENT_LINK.sub("/p/" + LINK, text))


class RedactPatientData(logging.Filter):
    """Rewrites a record's message (and its traceback) with `redact`, never drops a record.

    The message is formatted here, from whatever its arguments are (django.request passes the
    request's path, django.server the request line), and the arguments are dropped, so no
    formatter downstream can put them back. The `request` Django attaches to a record is left as
    it is: it is only read by handlers that mail it, and settings.LOGGING configures none.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad log call must neither break its caller nor leak its arguments
            message = f"{record.msg} [arguments that did not fit the message were dropped]"
        redacted = redact(message)
        if redacted != message or record.args:
            record.msg = redacted
            record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
