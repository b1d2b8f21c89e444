from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from clinic.language import remember_staff_language
        from clinic.sessions import start_session
        from clinic.two_factor import checks  # noqa: F401 - registers the system checks
        from clinic.two_factor.admin import add_reset_to_the_user_admin
        from clinic.two_factor.services import remember_second_factor_at_sign_in

        user_logged_in.connect(start_session, dispatch_uid="clinic.sessions.start_session")
        user_logged_in.connect(
            remember_second_factor_at_sign_in, dispatch_uid="clinic.two_factor.at_sign_in"
        )
        user_logged_in.connect(
            remember_staff_language, dispatch_uid="clinic.language.remember_staff_language"
        )
        add_reset_to_the_user_admin()
