"""The single permission layer: which organisations' data a user may see.

Every view and API viewset scopes its rows through `visible_to(user)` on the
model's queryset, and those methods all start from `data_scope(user)` here.
A new page cannot forget the rule because the base classes in
`core.views` and `core.api` make get_queryset final.

The rules (docs/permissions.md):
- admins (is_staff) see everything;
- a commissioner sees its own organisation, every organisation it holds a
  binding contract with (one the provider accepted: contracts.services), and
  the members of those networks;
- a network manager sees the network and its member providers;
- a provider user sees their own organisation;
- a lay partner sees no private data: only what is published.
"""

from django.conf import settings
from django.db.models import Q

from contracts.choices import Role
from core.request_cache import per_request
from core.roles import is_admin
from core.small_numbers import EVERYONE

PRIVATE_DATA_ROLES = (Role.COMMISSIONER, Role.NETWORK_MANAGER, Role.PROVIDER_USER)


def data_scope(user):
    """Organisations whose private data `user` may see, as a queryset to use
    in filters. In a request the rule is worked out once, in one query, and
    the ids it gives are reused: a dashboard scopes eight querysets by it,
    and sending the rule's four nested subqueries to PostgreSQL eight times
    cost a quarter of the page's time. Elsewhere it is the rule itself, a
    subquery that adds no query of its own."""
    from contracts.models import Organisation

    if not user.is_authenticated:
        return Organisation.objects.none()
    if is_admin(user):
        return Organisation.objects.all()
    ids = per_request(("data_scope", user.pk), lambda: _scope_ids(user))
    return _scope_rule(user) if ids is None else Organisation.objects.filter(id__in=ids)


def _scope_ids(user) -> frozenset[int]:
    return frozenset(_scope_rule(user).values_list("id", flat=True))


def organisations_seen(user):
    """Whose figures `user` may see, for the small-numbers rule
    (core.small_numbers): EVERYONE for admins, else the ids of their data
    scope (worked out once per request, as data_scope)."""
    if not user.is_authenticated:
        return frozenset()
    if is_admin(user):
        return EVERYONE
    ids = per_request(("data_scope", user.pk), lambda: _scope_ids(user))
    return _scope_ids(user) if ids is None else ids


def small_numbers_k() -> int:
    """K of the small-numbers rule (settings.SMALL_NUMBERS_MIN_OTHERS)."""
    return settings.SMALL_NUMBERS_MIN_OTHERS


def reader_scopes() -> set[frozenset[int]]:
    """Every data scope a person holds now, once each, and the public's (no
    organisation): who may read a published figure, for the small-numbers
    rule. The same rule as `_scope_rule`, worked out for everyone at once in
    three queries (tests/contracts/test_access.py checks they agree); admins
    see every organisation, so no figure is withheld for them."""
    from contracts.models import Contract, Membership, NetworkMember

    members: dict[int, set[int]] = {}
    for network_id, provider_id in NetworkMember.objects.values_list("network_id", "provider_id"):
        members.setdefault(network_id, set()).add(provider_id)
    commissioned: dict[int, set[int]] = {}
    for commissioner_id, provider_id in Contract.objects.binding().values_list(
        "commissioner_id", "provider_id"
    ):
        commissioned.setdefault(commissioner_id, set()).add(provider_id)
    scopes: dict[int, set[int]] = {}
    for user_id, organisation_id, role in Membership.objects.filter(
        role__in=PRIVATE_DATA_ROLES, user__is_staff=False
    ).values_list("user_id", "organisation_id", "role"):
        scope = scopes.setdefault(user_id, set())
        scope.add(organisation_id)
        if role == Role.NETWORK_MANAGER:
            scope |= members.get(organisation_id, set())
        if role == Role.COMMISSIONER:
            for provider_id in commissioned.get(organisation_id, ()):
                scope.add(provider_id)
                scope |= members.get(provider_id, set())
    return {frozenset(scope) for scope in scopes.values()} | {frozenset()}


def _scope_rule(user):
    """The rule itself (docs/permissions.md), as one lazy queryset."""
    from contracts.models import Contract, Membership, NetworkMember, Organisation

    def orgs_where(role):
        return Membership.objects.filter(user=user, role=role).values("organisation_id")

    # Only a binding contract (accepted by the provider) shares data: an
    # offer, a draft or a declined or withdrawn offer never did.
    commissioned = Contract.objects.binding().filter(
        commissioner_id__in=orgs_where(Role.COMMISSIONER)
    )
    return Organisation.objects.filter(
        Q(
            id__in=Membership.objects.filter(user=user, role__in=PRIVATE_DATA_ROLES).values(
                "organisation_id"
            )
        )
        | Q(
            id__in=NetworkMember.objects.filter(
                network_id__in=orgs_where(Role.NETWORK_MANAGER)
            ).values("provider_id")
        )
        | Q(id__in=commissioned.values("provider_id"))
        | Q(
            id__in=NetworkMember.objects.filter(
                network_id__in=commissioned.values("provider_id")
            ).values("provider_id")
        )
    )
