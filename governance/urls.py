from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("", views.index, name="index"),
    path("trials/", views.trial_new, name="trial_new"),
    path("trials/<int:pk>/", views.trial_detail, name="trial"),
    path("runs/<int:pk>/", views.trial_run, name="trial_run"),
    path("runs/<int:pk>/status/", views.trial_run_status, name="trial_run_status"),
    path("runs/<int:pk>/retry/", views.trial_run_retry, name="trial_run_retry"),
    path("trials/<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("rule-set/", views.choose, name="choose"),
    path("hazards/", views.hazard_log, name="hazards"),
]
