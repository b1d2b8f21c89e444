"""What the HTTP benchmarks share: Django set up as in production, a throwaway PostgreSQL database,
and the percentiles they report.

Production-like means DEBUG off (no query log, no debug pages), persistent connections
(CONN_MAX_AGE), real password hashing, the real middleware. Only what a test client over plain
HTTP needs differs: no HTTPS redirect or secure-only cookies, `testserver` an allowed host, and
static files served without a collected manifest.
"""

from __future__ import annotations

import atexit
import math
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"


def setup_django() -> None:
    """Configure the environment for a benchmark run, then `django.setup()`."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not os.environ["DATABASE_URL"].startswith(("postgres", "pgsql")):
        raise SystemExit("This benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
    os.environ["DEBUG"] = "false"  # DEBUG on records every query: not what production runs
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault(
        "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if "VAR_DIR" not in os.environ:
        # Mail files and the embedded broker's queue of this run go nowhere that lasts.
        var_dir = tempfile.mkdtemp(prefix="clinic-bench-")
        atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
        os.environ["VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "clinic.settings"
    # WhiteNoise warns that nothing was collected into STATIC_ROOT; no benchmark serves static.
    warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)

    import django

    django.setup()


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """A fresh, migrated database named `<prefix>_<pid>`, dropped at the end whatever happens.

    Its own name, so that a test run on the same server at the same time is never touched.
    """
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    name = f"{prefix}_{os.getpid()}"
    connections["default"].settings_dict["TEST"]["NAME"] = name
    old_config = setup_databases(
        verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
    )
    try:
        yield name
    finally:
        teardown_databases(old_config, verbosity=0)


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value with at least q% of values at or below."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]
