"""Meeting series and actions are read here; they change only through
dialogues.services (the pages and the API), whose rules and permissions
the admin's forms would bypass: a series' organisations, participants and
chair checked together and its meetings regenerated, an action's owner and
due date kept within its meeting's rules, a reason for dropping or
reopening, its history's reasons. Admins pass every dialogue permission
(dialogues.permissions), so they make those changes on the pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contracts.admin import ReadOnlyAdmin
from dialogues.models import Action, Meeting, MeetingSeries


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(ReadOnlyAdmin):
    list_display = ["title", "provider", "meeting_type", "level", "rrule", "is_active"]
    list_filter = ["meeting_type", "level", "is_active"]
    search_fields = ["title", "provider__name", "provider__code"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "starts_at", "series", "is_cancelled"]
    list_filter = ["series__meeting_type", "is_cancelled"]
    date_hierarchy = "starts_at"
    readonly_fields = ["occurrence"]


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner", "owner_organisation", "due_on", "status", "provider"]
    list_filter = ["status", "provider"]
    search_fields = ["title", "owner__username", "owner__last_name"]
