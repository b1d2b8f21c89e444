"""`programmes.core` is the programmes' pure clinical code: importing it loads no Django."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import programmes.core

MODULES = sorted(
    f"programmes.core.{m.name}" for m in pkgutil.iter_modules(programmes.core.__path__)
)


def test_the_core_holds_the_pure_modules() -> None:
    assert {"caution", "library", "progression", "schedule", "suggest", "thresholds"} <= {
        name.rsplit(".", 1)[1] for name in MODULES
    }


def test_importing_the_core_loads_no_django() -> None:
    # A fresh interpreter: this test process has Django loaded already.
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in MODULES)
        + "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
