from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Clinical governance"

    def ready(self) -> None:
        from governance import signals  # noqa: F401 - the settings the copy depends on
