from django.urls import path

from assurance.views import downloads, governance, home, rounds, surveys

app_name = "assurance"
urlpatterns = [
    path("", home.AssuranceHomeView.as_view(), name="home"),
    path("rounds/<int:pk>/", rounds.ScorecardView.as_view(), name="scorecard"),
    path(
        "rounds/<int:pk>/<slug:table>.<str:format>",
        downloads.ScorecardDownloadView.as_view(),
        name="scorecard-download",
    ),
    path("rounds/<int:pk>/state/", rounds.TransitionView.as_view(), name="transition"),
    path(
        "rounds/<int:pk>/governance/<int:number>/",
        governance.CertifyView.as_view(),
        name="certify",
    ),
    path(
        "rounds/<int:pk>/measures/<int:measure>/",
        rounds.RatingView.as_view(),
        name="rating",
    ),
    path("rounds/<int:pk>/outcomes/", rounds.OutcomesView.as_view(), name="outcomes"),
    path("rounds/<int:pk>/surveys/new/", surveys.SurveyOpenView.as_view(), name="survey-open"),
    path("governance/<int:pk>/review/", governance.ReviewView.as_view(), name="review"),
    path("surveys/<int:pk>/", surveys.SurveyAnswerView.as_view(), name="survey-answer"),
    path("surveys/<int:pk>/sent/", surveys.SurveySentView.as_view(), name="survey-sent"),
]
