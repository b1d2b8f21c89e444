from django.urls import path

from triage import queue_views, views

app_name = "triage"
urlpatterns = [
    path("queue/", queue_views.queue, name="queue"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/claim/", views.case_claim, name="case_claim"),
    path("cases/<int:pk>/release/", views.case_release, name="case_release"),
    path("cases/<int:pk>/override/", views.case_override, name="case_override"),
    path("cases/<int:pk>/discharge/", views.case_discharge, name="case_discharge"),
    path("overrides/", views.overrides, name="overrides"),
]
