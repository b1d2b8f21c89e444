from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from audit import views as audit_views
from clinic import language, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        audit_views.PasswordChangeView.as_view(),  # recorded in the audit
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/keep-alive/", views.keep_alive, name="keep_alive"),
    path("accounts/language/", views.staff_language, name="staff_language"),
    # The language switch on a patient's pages (before the /p/<token>/ pages).
    path("p/language/", language.switch_patient_language, name="patient_language"),
    path("accounts/two-factor/", include("clinic.two_factor.urls")),
    path("patients/", include("patients.urls")),
    path("triage/", include("triage.urls")),
    path("outbox/", include("outbox.urls")),
    path("referrals/", include("referrals.urls")),
    # Before the programmes' /p/<token>/ pages: a self-intake link is /p/i/<link>/.
    path("", include("selfintake.urls")),
    path("examinations/", include("examination.urls")),
    # Before the programmes' /p/<token>/ pages too: a patient's questions are /p/<link>/ask/.
    path("", include("questions.urls")),
    path("", include("programmes.urls")),
    path("audit/", include("audit.urls")),
    # The FHIR R4 API for the clinic's other systems: bearer tokens, no session (interop/).
    path("fhir/", include("interop.urls")),
    path("governance/", include("governance.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("admin/", admin.site.urls),
    path("", include("health.urls")),  # /healthz, /readyz, /metrics
]

# Every error no view handled: the product's own pages; while the database is down, a 503 that
# says what to do, and reception's intake page still gives the rules' advice.
handler500 = "clinic.unavailable.server_error"
