from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from audit import signals  # sign-ins, sign-outs, failed sign-ins and lockouts

        post_migrate.connect(signals.after_migrate, sender=self, dispatch_uid="audit.settings")
