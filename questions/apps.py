from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "questions"
    verbose_name = "Questions from patients"

    def ready(self) -> None:
        from questions import panels
        from triage.panels import register_case_panel

        register_case_panel(
            "questions",
            order=25,
            template="questions/partials/case_questions.html",
            context_fn=panels.case_context,
        )
