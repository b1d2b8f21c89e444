from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExaminationConfig(AppConfig):
    name = "examination"
    verbose_name = _("Examinations")
