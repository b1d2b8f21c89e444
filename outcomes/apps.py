from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from outcomes import panels
        from triage.panels import register_case_panel

        register_case_panel(
            "outcomes",
            order=25,
            template="outcomes/partials/case_flags.html",
            context_fn=panels.case_context,
            timeline_fn=panels.timeline,
        )
