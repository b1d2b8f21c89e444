from django.urls import path

from triage import queue_views, views

app_name = "triage"
urlpatterns = [
    path("queue/", queue_views.queue, name="queue"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/claim/", views.case_claim, name="case_claim"),
]
