from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from outbox.models import Message
        from outbox.services import register_send_guard
        from referrals.services import reminder_still_wanted

        register_send_guard(Message.Kind.REFERRAL_REMINDER, reminder_still_wanted)
