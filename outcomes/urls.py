from django.urls import path

from outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csv/<slug:figure>/", views.figure_csv, name="figure_csv"),
    path("review/", views.review, name="review"),
    path("review/<int:pk>/reviewed/", views.reviewed, name="reviewed"),
]
