from django.urls import path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("cases/<int:case_id>/new/", views.referral_new, name="referral_new"),
    path("<int:pk>/", views.referral_edit, name="referral_edit"),
    path("<int:pk>/letter.pdf", views.referral_letter, name="referral_letter"),
    path("<int:pk>/<slug:action>/", views.referral_action, name="referral_action"),
]
