from django.urls import path

from outcomes import views

urlpatterns = [path("scorecards/", views.scorecard_list, name="scorecard-list")]
