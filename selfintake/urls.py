from django.urls import path

from selfintake import patient_views, referral_views, views

app_name = "selfintake"
urlpatterns = [
    # Reception and clinicians (behind login and role).
    path("selfintake/", views.self_intakes, name="list"),
    path("selfintake/patients/<int:patient_id>/", views.invite, name="invite"),
    path("selfintake/intakes/<int:intake_id>/", views.intake_answers, name="intake"),
    path("selfintake/intakes/<int:intake_id>/checked/", views.answers_checked, name="checked"),
    # The patient, by the emailed link only (no login). Under /p/ with the programme pages: not
    # cached, kept out of logs (clinic/logging.py), and a page of their own while the database
    # is down (clinic/unavailable.py).
    # The public self-referral (SELF_REFERRAL_ENABLED; a 404 while it is off): the form, and
    # the emailed confirmation link.
    path("p/self-referral/", referral_views.start, name="referral"),
    path("p/self-referral/sent/", referral_views.sent, name="referral_sent"),
    path("p/r/<str:link>/", referral_views.confirm, name="referral_confirm"),
    path("p/i/<str:link>/", patient_views.start, name="start"),
    path("p/i/<str:link>/answers/", patient_views.answers, name="answers"),
    path("p/i/<str:link>/saved/", patient_views.saved, name="saved"),
    path("p/i/<str:link>/done/", patient_views.done, name="done"),
    path("p/i/<str:link>/new-link/", patient_views.new_link, name="new_link"),
    path("p/i/<str:link>/<slug:step>/", patient_views.step, name="step"),
]
