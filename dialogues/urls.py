from django.urls import path

from dialogues.views import actions, meetings, overview, personal, series

app_name = "dialogues"

urlpatterns = [
    path("", overview.OverviewView.as_view(), name="overview"),
    path("series/", series.SeriesListView.as_view(), name="series-list"),
    path("series/new/", series.SeriesFormView.as_view(), name="series-create"),
    path("series/<int:pk>/", series.SeriesDetailView.as_view(), name="series-detail"),
    path("series/<int:pk>/edit/", series.SeriesFormView.as_view(), name="series-edit"),
    path("meetings/<int:pk>/", meetings.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/agenda/", meetings.AgendaEditView.as_view(), name="agenda-edit"),
    path("actions/", actions.ActionListView.as_view(), name="action-list"),
    path("actions/<int:pk>/", actions.ActionDetailView.as_view(), name="action-detail"),
    path("evidence/<int:pk>/", actions.EvidenceFileView.as_view(), name="evidence-file"),
    path("preferences/", personal.PreferencesView.as_view(), name="preferences"),
    path("calendar/<str:token>.ics", personal.calendar_feed, name="calendar-feed"),
]
