from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Home-exercise programmes"

    def ready(self) -> None:
        from outbox.services import register_send_guard
        from programmes.services import PROGRAMME_KINDS, still_wanted

        for kind in PROGRAMME_KINDS:
            register_send_guard(kind, still_wanted)
