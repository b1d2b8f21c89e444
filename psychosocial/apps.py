from django.apps import AppConfig


class PsychosocialConfig(AppConfig):
    name = "psychosocial"
    verbose_name = "Psychosocial screening"
