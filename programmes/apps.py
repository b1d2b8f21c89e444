from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Home-exercise programmes"

    def ready(self) -> None:
        from outbox.services import register_send_guard
        from programmes import panels
        from programmes.reminders import PROGRAMME_KINDS, still_wanted
        from triage.panels import register_case_panel

        for kind in PROGRAMME_KINDS:
            register_send_guard(kind, still_wanted)
        register_case_panel(
            "programmes",
            order=20,
            template="programmes/partials/case_programme.html",
            context_fn=panels.case_context,
        )
