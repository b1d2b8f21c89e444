from django.urls import path

from audit import export_views, views

app_name = "audit"
urlpatterns = [
    path("", views.index, name="index"),
    path("patients/<int:patient_id>/", views.patient_access, name="patient_access"),
    path("staff/<int:user_id>/", views.staff_activity, name="staff_activity"),
    path("clinic/", views.clinic_changes, name="clinic_changes"),
    path("subject-access/", export_views.subject_access_index, name="subject_access_index"),
    path(
        "patients/<int:patient_id>/subject-access/",
        export_views.subject_access,
        name="subject_access",
    ),
    path(
        "patients/<int:patient_id>/subject-access.json",
        export_views.subject_access_download,
        {"kind": "json"},
        name="subject_access_json",
    ),
    path(
        "patients/<int:patient_id>/subject-access.pdf",
        export_views.subject_access_download,
        {"kind": "pdf"},
        name="subject_access_pdf",
    ),
]
