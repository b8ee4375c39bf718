from django.urls import path

from assurance import views, views_downloads

app_name = "assurance"
urlpatterns = [
    path("", views.AssuranceHomeView.as_view(), name="home"),
    path("rounds/<int:pk>/", views.ScorecardView.as_view(), name="scorecard"),
    path(
        "rounds/<int:pk>/<slug:table>.<str:format>",
        views_downloads.ScorecardDownloadView.as_view(),
        name="scorecard-download",
    ),
    path("rounds/<int:pk>/state/", views.TransitionView.as_view(), name="transition"),
    path(
        "rounds/<int:pk>/governance/<int:number>/",
        views.CertifyView.as_view(),
        name="certify",
    ),
    path(
        "rounds/<int:pk>/measures/<int:measure>/",
        views.RatingView.as_view(),
        name="rating",
    ),
    path("rounds/<int:pk>/outcomes/", views.OutcomesView.as_view(), name="outcomes"),
    path("rounds/<int:pk>/surveys/new/", views.SurveyOpenView.as_view(), name="survey-open"),
    path("governance/<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("surveys/<int:pk>/", views.SurveyAnswerView.as_view(), name="survey-answer"),
    path("surveys/<int:pk>/sent/", views.SurveySentView.as_view(), name="survey-sent"),
]
