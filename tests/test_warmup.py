"""A web process compiles every template and imports every view before its first request
(clinic/warmup.py, called from clinic/wsgi.py): each template compiles, so a syntax error in one
fails here rather than on the page that shows it, and the second warm-up finds them all kept."""

from __future__ import annotations

from django.template import engines
from django.test import override_settings

from clinic import warmup


@override_settings(DEBUG=False)
def test_every_template_compiles_and_is_kept() -> None:
    ours = warmup.template_names(warmup.project_template_dirs()[0])
    assert len(ours) > 100
    compiled = warmup.warm()
    assert compiled >= len(ours)
    # The cached loader holds each of ours now: a request compiles none of them again.
    loader = engines["django"].engine.template_loaders[0]  # type: ignore[attr-defined]
    kept = loader.get_template_cache
    assert [name for name in ours if name not in kept] == []


@override_settings(DEBUG=True)
def test_debug_compiles_on_each_use_so_nothing_is_warmed() -> None:
    assert warmup.warm() == 0


def test_the_start_up_heap_is_frozen_out_of_collections() -> None:
    """After the warm-up, what the process built is in the permanent generation: the objects a
    full collection walks are only those made after it (here, none yet), not the start-up's."""
    import gc

    try:
        warmup.warm()
        tracked_before = len(gc.get_objects())
        frozen = warmup.freeze_heap()
        assert tracked_before > 10_000  # Django, the project's modules and templates
        assert frozen > 10_000  # what survived the collection before the freeze
        assert frozen == gc.get_freeze_count()
        assert len(gc.get_objects()) < 100  # what the collector still walks
    finally:
        gc.unfreeze()


@override_settings(DEBUG=False)
def test_every_rule_set_fingerprint_is_ready_before_the_first_intake() -> None:
    from triage.rules import registry

    registry.fingerprint.cache_clear()
    warmup.warm()
    assert registry.fingerprint.cache_info().currsize == len(registry.names())
