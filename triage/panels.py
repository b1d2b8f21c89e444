"""The case page's panels from other apps: triage renders whatever is registered and imports none
of their views (DESIGN.md, "Rooms").

An app registers its panel in its AppConfig.ready(), as the outbox's send guards are registered:

    register_case_panel(
        "referrals", order=10, template="referrals/partials/case_referrals.html",
        context_fn=referrals.panels.case_context, timeline_fn=referrals.panels.timeline,
    )

`context_fn(request, case, state)` reads what the panel shows, in a few queries whatever the
case holds, and returns the names its template reads; they join the page's context, so each app
names its own (`referrals`, `programme_panels`, `case_messages`) and a name triage or another
panel already uses is refused. `state` is what a view of the app handed back for its panel: a
refused form, say, shown as the clinician filled it in (`triage.views.render_case_page`).
`timeline_fn(context)` turns what `context_fn` read into entries on the case's timeline, with no
query of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

if TYPE_CHECKING:
    from triage.models import Case


@dataclass(slots=True)
class TimelineEntry:
    """One thing that happened to a case, as its timeline shows it."""

    at: datetime
    kind: str  # css hook and test handle: "intake", "assessment", "claimed", "override", ...
    title: str
    who: str
    detail: str = ""
    anchor: str = ""


PanelContext = Callable[[HttpRequest, "Case", Any], Mapping[str, Any]]
PanelTimeline = Callable[[Mapping[str, Any]], list[TimelineEntry]]


@dataclass(frozen=True, slots=True)
class CasePanel:
    name: str
    order: int  # lower comes first, after the decision
    template: str
    context_fn: PanelContext
    timeline_fn: PanelTimeline | None = None


_PANELS: dict[str, CasePanel] = {}


def register_case_panel(
    name: str,
    *,
    order: int,
    template: str,
    context_fn: PanelContext,
    timeline_fn: PanelTimeline | None = None,
) -> None:
    """Called from an app's ready(): the case page shows `template` with what `context_fn`
    returns. Registering a name again replaces the panel (ready() may run more than once)."""
    _PANELS[name] = CasePanel(
        name=name, order=order, template=template, context_fn=context_fn, timeline_fn=timeline_fn
    )


def registered_panels() -> list[CasePanel]:
    return sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.name))


@dataclass(slots=True)
class CasePanels:
    """The registered panels as one case page shows them."""

    templates: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    timeline: list[TimelineEntry] = field(default_factory=list)


def case_panels(
    request: HttpRequest,
    case: Case,
    *,
    state: Mapping[str, Any] | None = None,
    taken: frozenset[str] = frozenset(),
) -> CasePanels:
    """Every registered panel's template, context and timeline entries for `case`. `taken`:
    the names the page's own context uses, which no panel may reuse."""
    panels = CasePanels()
    for panel in registered_panels():
        context = dict(panel.context_fn(request, case, (state or {}).get(panel.name)))
        clash = (context.keys() & panels.context.keys()) | (context.keys() & taken)
        if clash:
            raise ImproperlyConfigured(
                f"The case panel {panel.name!r} uses names the page already has: "
                f"{', '.join(sorted(clash))}"
            )
        panels.context.update(context)
        panels.templates.append(panel.template)
        if panel.timeline_fn is not None:
            panels.timeline.extend(panel.timeline_fn(context))
    return panels
