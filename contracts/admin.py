from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from contracts.models import Contract, Membership, NetworkMember, Organisation


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


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "commissioner", "provider", "start_date", "end_date"]
    list_filter = ["payment_model", "commissioner"]
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
