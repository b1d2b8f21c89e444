from django.urls import path

from examination import views

app_name = "examination"
urlpatterns = [
    path("cases/<int:case_id>/new/", views.examination_new, name="examination_new"),
]
