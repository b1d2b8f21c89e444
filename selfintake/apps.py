from django.apps import AppConfig


class SelfIntakeConfig(AppConfig):
    name = "selfintake"
    verbose_name = "Self-intake"

    def ready(self) -> None:
        from selfintake import panels
        from triage.panels import register_case_panel

        register_case_panel(
            "selfintake",
            order=5,
            template="selfintake/partials/case_self_intake.html",
            context_fn=panels.case_context,
        )
