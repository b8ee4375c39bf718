from django.urls import path

from dialogues import views, views_personal

app_name = "dialogues"
urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("series/", views.SeriesListView.as_view(), name="series-list"),
    path("series/new/", views.SeriesFormView.as_view(), name="series-create"),
    path("series/<int:pk>/", views.SeriesDetailView.as_view(), name="series-detail"),
    path("series/<int:pk>/edit/", views.SeriesFormView.as_view(), name="series-edit"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/agenda/", views.AgendaEditView.as_view(), name="agenda-edit"),
    path("actions/", views.ActionListView.as_view(), name="action-list"),
    path("actions/<int:pk>/", views.ActionDetailView.as_view(), name="action-detail"),
    path("evidence/<int:pk>/", views.EvidenceFileView.as_view(), name="evidence-file"),
    path("preferences/", views_personal.PreferencesView.as_view(), name="preferences"),
    path("calendar/<str:token>.ics", views_personal.calendar_feed, name="calendar-feed"),
]
