from django.urls import path, re_path

from interop import views

app_name = "interop"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path("openapi.json", views.openapi, name="openapi"),
    path("Patient/<str:resource_id>/$everything", views.everything, name="everything"),
    path("<str:resource_type>/<str:resource_id>", views.read, name="read"),
    path("<str:resource_type>", views.by_type, name="by_type"),
    # Anything else under /fhir/ (a trailing slash, a path too deep, /fhir/ itself): a FHIR
    # client reads an OperationOutcome, not the clinic's HTML page.
    re_path(r"^.*\Z", views.no_such_path, name="no_such_path"),
]
