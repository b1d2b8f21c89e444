from django.urls import path

from patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_search, name="patient_search"),
    path("intakes/new/", views.intake_new, name="intake_new"),
    path("intakes/<int:pk>/outcome/", views.intake_outcome, name="intake_outcome"),
]
