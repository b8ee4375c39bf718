from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from contracts.models import (
    Contract,
    ContractYear,
    Membership,
    NetworkMember,
    NoticeEvent,
    Organisation,
    PerformanceNotice,
    PopulationGroup,
    RemedialMilestone,
    Withholding,
)


class NetworkMemberInline(admin.TabularInline):
    model = NetworkMember
    fk_name = "network"
    extra = 0
    autocomplete_fields = ["provider"]
    verbose_name = "member provider"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "commissioner_type", "is_active"]
    list_filter = ["kind", "commissioner_type", "is_active"]
    search_fields = ["code", "name"]
    inlines = [NetworkMemberInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "user__email", "organisation__code", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(PopulationGroup)
class PopulationGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class ContractYearInline(admin.TabularInline):
    model = ContractYear
    extra = 0


class NoRevertHistoryAdmin(SimpleHistoryAdmin):
    """History shown, never reverted, for the records the audit trail
    (reporting.audit_trail) reads. simple-history's revert form saves the old
    values over the record even where the admin may not change it, so the
    button is hidden and a POST to the form is refused."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied("History is not reverted here; changes go through Concord.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(NoRevertHistoryAdmin):
    """Rows that only services may write (versions, notice steps): admins read them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NoticeEventInline(admin.TabularInline):
    model = NoticeEvent
    extra = 0
    can_delete = False
    readonly_fields = ["step", "on", "author", "reason", "status_after", "recorded_at"]

    def has_add_permission(self, request, obj=None):
        return False


class MilestoneInline(admin.TabularInline):
    model = RemedialMilestone
    extra = 0
    can_delete = False
    readonly_fields = ["description", "owner", "owner_organisation", "due_on", "completed_on"]

    def has_add_permission(self, request, obj=None):
        return False


class WithholdingInline(admin.TabularInline):
    model = Withholding
    extra = 0
    can_delete = False
    readonly_fields = ["month", "percent", "amount", "status", "settled_on"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PerformanceNotice)
class PerformanceNoticeAdmin(ReadOnlyAdmin):
    list_display = ["pk", "contract", "title", "raised_by_organisation", "raised_on", "status"]
    list_filter = ["status", "escalated"]
    list_select_related = ["contract", "raised_by_organisation"]
    inlines = [MilestoneInline, WithholdingInline, NoticeEventInline]


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    inlines = [ContractYearInline]
    list_display = [
        "reference",
        "title",
        "commissioner",
        "provider",
        "start_date",
        "end_date",
        "status",
    ]
    list_filter = ["status", "payment_model", "commissioner"]
    # The agreement moves only through contracts.services, each step by the
    # party whose step it is: never by an administrator's edit.
    readonly_fields = [
        "status",
        "offered_at",
        "answered_at",
        "answered_by",
        "decline_reason",
        "terminated_on",
        "termination_reason",
    ]
    search_fields = ["reference", "title", "provider__name", "provider__code"]
    autocomplete_fields = ["commissioner", "provider"]
    list_select_related = ["commissioner", "provider"]


class UserMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ConcordUserAdmin(UserAdmin):
    """Django's user admin with the person's organisation memberships inline."""

    inlines = [UserMembershipInline]
