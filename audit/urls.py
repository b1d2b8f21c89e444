from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.index, name="index"),
    path("patients/<int:patient_id>/", views.patient_access, name="patient_access"),
    path("staff/<int:user_id>/", views.staff_activity, name="staff_activity"),
]
