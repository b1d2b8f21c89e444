from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"

    def ready(self) -> None:
        from outbox.models import Message
        from outbox.services import register_send_guard
        from triage.services import escalation_still_wanted

        register_send_guard(Message.Kind.ESCALATION, escalation_still_wanted)
