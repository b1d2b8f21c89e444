from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExaminationConfig(AppConfig):
    name = "examination"
    verbose_name = _("Examinations")

    def ready(self) -> None:
        from examination import panels
        from triage.panels import register_case_panel

        register_case_panel(
            "examination",
            order=7,
            template="examination/partials/case_examinations.html",
            context_fn=panels.case_context,
            timeline_fn=panels.timeline,
        )
