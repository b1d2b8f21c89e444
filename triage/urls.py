from django.urls import path

from triage import views

app_name = "triage"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/claim/", views.case_claim, name="case_claim"),
]
