from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        from outbox import checks  # noqa: F401 - registers the system checks
        from outbox.panels import case_context, timeline
        from triage.panels import register_case_panel

        register_case_panel(
            "outbox",
            order=30,
            template="outbox/partials/case_messages.html",
            context_fn=case_context,
            timeline_fn=timeline,
        )
