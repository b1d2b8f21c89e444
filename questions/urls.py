from django.urls import path

from questions import patient_views, views

app_name = "questions"
urlpatterns = [
    # Clinicians (behind login and role).
    path("questions/", views.worklist, name="worklist"),
    path("questions/<int:pk>/", views.question_detail, name="question_detail"),
    # The patient, by their programme page's signed link (no login).
    path("p/<str:token>/ask/", patient_views.ask, name="ask"),
]
