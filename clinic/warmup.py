"""What a web process does once, as it starts, so that its first requests cost what later ones do.

Django imports a view's module when a URL first resolves to it and compiles a template when a
page first renders it, keeping both for the process's life (the cached template loader, which
Django uses whenever DEBUG is off). A new gunicorn worker so made its first intake, its first
queue refresh and its first patient page each pay for a few dozen templates and modules: a
receptionist's first intake after a restart took four times as long as the next. Here every URL
pattern's view is imported and every template the product renders (ours, and the crispy-forms
pack's) is compiled before the first request. Nothing touches the database.

Then the heap is frozen (`freeze_heap`): what the process built to start (some 140,000 objects:
modules, views, compiled templates, settings) lives as long as the process, but Python's
collector would still walk all of it at each full collection, and a full collection stops every
thread of the worker for 50 to 100 ms, an intake's submission or a queue refresh included,
whenever it lands. Frozen, those objects are left out of every collection (`gc.freeze`, the
technique Instagram described for its Django workers): a full collection walks only what
requests have made since.
"""

from __future__ import annotations

import gc
import importlib
import logging
import time
from pathlib import Path
from typing import cast

from django.conf import settings
from django.template import TemplateDoesNotExist, engines
from django.template.backends.django import DjangoTemplates
from django.urls import get_resolver

logger = logging.getLogger(__name__)

# The template packs rendered on every form page, besides the project's own templates/.
PACKS = ("crispy_bootstrap5",)


def project_template_dirs() -> list[Path]:
    dirs = cast("list[str]", settings.TEMPLATES[0]["DIRS"])
    return [Path(directory) for directory in dirs]


def template_names(root: Path) -> list[str]:
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.suffix in {".html", ".txt", ".xml"} and path.is_file()
    )


def warm() -> int:
    """Import every view and compile every template; how many templates were compiled."""
    if settings.DEBUG:
        return 0  # DEBUG compiles a template on each use: nothing would be kept
    started = time.perf_counter()
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every urls module, and so every view
    resolver.reverse_dict  # noqa: B018 - the table `reverse` and {% url %} read
    roots = project_template_dirs()
    for pack in PACKS:
        module = importlib.import_module(pack)
        assert module.__file__ is not None
        roots.append(Path(module.__file__).parent / "templates")
    compiled = 0
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        for root in roots:
            for name in template_names(root):
                try:
                    engine.get_template(name)
                except TemplateDoesNotExist:
                    continue
                compiled += 1
    # Each rule-set version's fingerprint, which the first intake's check of the clinic's
    # signed-off choice would otherwise compute (governance/active.py): pure, no database.
    from triage.rules import registry

    for name in registry.names():
        registry.fingerprint(name)
    # And the clinic's choice itself, so that a process that meets the database down at its
    # first intake still triages with the signed-off version (the last one it read).
    from governance import active

    try:
        active.active()
    except Exception:  # the database is down or not migrated yet: read at the first intake
        logger.warning("warm-up could not read the clinic's rule set yet")
    logger.info(
        "warmed up: %d templates compiled in %.0f ms",
        compiled,
        (time.perf_counter() - started) * 1000,
    )
    return compiled


def freeze_heap() -> int:
    """Collect once, then move every object alive now to the collector's permanent generation:
    later collections never walk them. How many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
