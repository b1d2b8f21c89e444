"""axe-core in every page the browser tests open: a serious or critical violation fails the test.

axe-core comes from the npm registry at set-up (package.json, scripts/install-test-tools). Every
browser context the tests make gets it as an init script (Playwright adds it through the
DevTools protocol, so the Content-Security-Policy does not block the script; the <style> elements
axe adds while it checks are refused by the policy, which changes nothing it finds), with a runner
that checks the page once it has loaded and again after each htmx swap settles. Each result is
handed to the test through a binding; a context's pages are checked once more as it closes, so
the last page a test saw is never missed. The test in progress fails, at its teardown, with each
violation's rule, impact, page and elements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
# WCAG 2.1 A and AA, and axe's best practices (of which only the serious and critical fail).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

_RUN = """
(options) => new Promise((resolve) => {
  const attempt = () => {
    if (!window.axe) { resolve(null); return; }
    window.axe.run(document, options).then(
      (result) => resolve({url: location.href, violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      }))}),
      (error) => String(error).includes("already running") ? setTimeout(attempt, 100) : resolve(null),
    );
  };
  attempt();
})
"""

RUNNER = f"""
(() => {{
  if (window.top !== window) return;
  const options = {{resultTypes: ["violations"], runOnly: {{type: "tag", values: {TAGS!r}}}}};
  const run = {_RUN.strip()};
  let timer = null;
  const check = () => {{
    timer = null;
    run(options).then((report) => {{ if (report && window.__axeReport) window.__axeReport(report); }});
  }};
  const soon = () => {{ if (timer) clearTimeout(timer); timer = setTimeout(check, 200); }};
  window.addEventListener("load", soon);
  document.addEventListener("htmx:afterSettle", soon);
}})();
"""


@dataclass
class AxeWatch:
    """What axe found in the pages of one test."""

    reports: list[dict[str, Any]] = field(default_factory=list)

    def record(self, report: dict[str, Any]) -> None:
        self.reports.append(report)

    def failures(self) -> list[str]:
        found: dict[tuple[str, str], str] = {}
        for report in self.reports:
            for violation in report["violations"]:
                if violation["impact"] not in FAILING_IMPACTS:
                    continue
                key = (violation["id"], report["url"].split("?")[0])
                found[key] = (
                    f"{violation['impact']} {violation['id']} ({violation['help']}) at "
                    f"{report['url']}: {', '.join(violation['nodes'])}"
                )
        return list(found.values())


def check_now(page: Any, watch: AxeWatch) -> None:
    """Check the page as it is now (before its context closes)."""
    if page.is_closed():
        return
    options = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": TAGS}}
    from playwright.sync_api import Error as PlaywrightError

    try:
        report = page.evaluate(_RUN, options)
    except PlaywrightError:  # the page navigated or closed as we asked: nothing left to check
        return
    if report:
        watch.record(report)


class CheckedContext:
    """A browser context whose pages axe checks; closing it checks each open page once more."""

    def __init__(self, context: Any, watch: AxeWatch) -> None:
        self._context = context
        self._watch = watch
        context.add_init_script(path=str(AXE_JS))
        context.add_init_script(RUNNER)
        context.expose_binding("__axeReport", lambda _source, report: watch.record(report))

    def close(self, **kwargs: Any) -> None:
        for page in self._context.pages:
            check_now(page, self._watch)
        self._context.close(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class CheckedBrowser:
    """The session's Chromium, handing out checked contexts to the test in progress."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.watch: AxeWatch | None = None

    def new_context(self, **options: Any) -> Any:
        # Reduced motion: Bootstrap then draws a hover at once, so axe never reads a colour
        # mid-fade (a button's transition measured half-way fails contrast that it passes).
        options.setdefault("reduced_motion", "reduce")
        context = self._browser.new_context(**options)
        if self.watch is None:
            return context
        return CheckedContext(context, self.watch)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)
