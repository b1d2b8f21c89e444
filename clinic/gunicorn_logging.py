"""gunicorn's logger, with patient links and query strings redacted from every log line.

The Dockerfile and docker-compose.yml start gunicorn with
`--logger-class=clinic.gunicorn_logging.RedactingLogger`. The access log's request line, path,
query string, Referer and every header or environ atom go through `clinic.logging.redact`, so
whatever `--access-logformat` says, `/p/<token>/` is written `/p/[link]/` and `?q=<name>` is
written `?[redacted]`; gunicorn's error log carries the same filter as Django's handlers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

from clinic.logging import REDACTED, RedactPatientData, redact

# Atoms holding a bare query string (no "?" to find it by).
_QUERY_ATOMS = frozenset({"q", "{query_string}e"})


class RedactingLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactPatientData) for f in handler.filters):
                    handler.addFilter(RedactPatientData())

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if not isinstance(value, str):
                continue
            if key in _QUERY_ATOMS:
                atoms[key] = REDACTED if value else value
            else:
                atoms[key] = redact(value)
        return atoms
