from django.urls import path

from programmes import patient_views, views

app_name = "programmes"
urlpatterns = [
    # Clinicians (behind login and role).
    path("programmes/cases/<int:case_id>/prescribe/", views.prescribe, name="prescribe"),
    path("programmes/cases/<int:case_id>/approve/", views.approve_suggestion, name="approve"),
    path("programmes/<int:pk>/resume/", views.programme_resume, name="programme_resume"),
    path("programmes/<int:pk>/stop/", views.programme_stop, name="programme_stop"),
    path("programmes/<int:pk>/revoke-link/", views.programme_revoke_link, name="revoke_link"),
    path("programmes/<int:pk>/review/", views.programme_review, name="programme_review"),
    path("programmes/<int:pk>/handout/", views.programme_handout, name="programme_handout"),
    path(
        "programmes/<int:pk>/check-ins/<int:week>/record/",
        views.record_check_in,
        name="record_check_in",
    ),
    path("programmes/media/<path:name>", views.exercise_media, name="exercise_media"),
    path("programmes/library/", views.library, name="library"),
    # Patients, by signed link only (no login): short paths that say nothing about health.
    path("p/new-link/", patient_views.new_link, name="new_link"),
    path("p/h/<str:code>/", patient_views.handout_link, name="handout_link"),
    path("p/u/<str:token>/", patient_views.unsubscribe, name="unsubscribe"),
    path("p/u/<str:token>/undo/", patient_views.resubscribe, name="resubscribe"),
    path("p/<str:token>/", patient_views.patient_page, name="patient_page"),
    path("p/<str:token>/session/", patient_views.log_session, name="log_session"),
    path("p/<str:token>/handout/", patient_views.handout, name="patient_handout"),
    path(
        "p/<str:token>/media/<int:exercise_id>/<str:kind>/",
        patient_views.exercise_media,
        name="patient_media",
    ),
    path("p/<str:token>/check-in/<int:week>/", patient_views.check_in, name="check_in"),
    path("p/<str:token>/schedule/", patient_views.schedule, name="schedule"),
    path("p/<str:token>/pause/", patient_views.pause, name="pause"),
    path("p/<str:token>/resume/", patient_views.resume, name="resume"),
]
