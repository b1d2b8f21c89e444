from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from outbox.models import Message
        from outbox.services import register_send_guard
        from referrals import panels
        from referrals.services import reminder_still_wanted
        from triage.panels import register_case_panel

        register_send_guard(Message.Kind.REFERRAL_REMINDER, reminder_still_wanted)
        register_case_panel(
            "referrals",
            order=10,
            template="referrals/partials/case_referrals.html",
            context_fn=panels.case_context,
            timeline_fn=panels.timeline,
        )
