from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contracts.admin import NoRevertHistoryAdmin
from dialogues.models import Action, Meeting, MeetingSeries


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(SimpleHistoryAdmin):
    list_display = ["title", "provider", "meeting_type", "level", "rrule", "is_active"]
    list_filter = ["meeting_type", "level", "is_active"]
    search_fields = ["title", "provider__name", "provider__code"]
    filter_horizontal = ["organisations", "participants"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "starts_at", "series", "is_cancelled"]
    list_filter = ["series__meeting_type", "is_cancelled"]
    date_hierarchy = "starts_at"
    readonly_fields = ["occurrence"]


@admin.register(Action)
class ActionAdmin(NoRevertHistoryAdmin):
    list_display = ["title", "owner", "owner_organisation", "due_on", "status", "provider"]
    list_filter = ["status", "provider"]
    search_fields = ["title", "owner__username", "owner__last_name"]
