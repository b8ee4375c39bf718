"""contracts.access as the small-numbers rule reads it: whose figures a
person sees, and every person's data scope at once for published figures,
which must agree with data_scope itself."""

from django.contrib.auth.models import AnonymousUser

from contracts.access import data_scope, organisations_seen, reader_scopes
from contracts.choices import ContractStatus, OrganisationKind, Role
from core.small_numbers import EVERYONE
from tests.factories import ContractFactory, MembershipFactory, OrganisationFactory, UserFactory


def scope_of(user) -> frozenset[int]:
    return frozenset(data_scope(user).values_list("id", flat=True))


def test_organisations_seen_is_the_data_scope(system):
    assert organisations_seen(system.admin) is EVERYONE
    assert organisations_seen(AnonymousUser()) == frozenset()
    assert organisations_seen(system.provider_a) == {system.pa1.pk}
    assert organisations_seen(system.network_manager_a) == {
        system.network_a.pk,
        system.pa1.pk,
        system.pa2.pk,
    }
    assert organisations_seen(system.lay_partner) == frozenset()
    assert organisations_seen(system.commissioner) == scope_of(system.commissioner)


def test_reader_scopes_are_every_persons_data_scope(system):
    """Each person's scope, worked out for everyone at once, is the one
    data_scope gives them, also for a person with several roles; the public
    reads with none. Admins are left out: they see every organisation."""
    # A commissioner who also works for a provider of another commissioner,
    # and a network held by a provider user (no members in their scope).
    both = UserFactory(username="both")
    other = OrganisationFactory(code="QTHREE", kind=OrganisationKind.COMMISSIONER)
    MembershipFactory(user=both, organisation=other, role=Role.COMMISSIONER)
    MembershipFactory(user=both, organisation=system.pb1, role=Role.PROVIDER_USER)
    ContractFactory(reference="CON-C", commissioner=other, provider=system.network_a)
    # An offer not yet accepted shares nothing (Contract.objects.binding).
    ContractFactory(
        reference="CON-D", commissioner=other, provider=system.pa1, status=ContractStatus.OFFERED
    )
    at_network = UserFactory(username="at_network")
    MembershipFactory(user=at_network, organisation=system.network_b, role=Role.PROVIDER_USER)
    people = [
        system.commissioner,
        system.network_manager_a,
        system.provider_a,
        system.provider_b,
        both,
        at_network,
    ]
    expected = {scope_of(person) for person in people} | {frozenset()}
    assert reader_scopes() == expected
    assert scope_of(both) == {
        other.pk,
        system.pb1.pk,
        system.network_a.pk,
        system.pa1.pk,
        system.pa2.pk,
    }
    assert scope_of(at_network) == {system.network_b.pk}
