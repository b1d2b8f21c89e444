from django.urls import path

from clinic.two_factor import views

app_name = "two_factor"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("code/", views.verify, name="verify"),
    path("set-up/", views.setup, name="setup"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
    path("backup-codes/new/", views.new_backup_codes, name="new_backup_codes"),
]
