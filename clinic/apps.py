from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from clinic.sessions import start_session

        user_logged_in.connect(start_session, dispatch_uid="clinic.sessions.start_session")
