"""Querysets whose `visible_to(user)` applies the permission layer.

Incentive schemes and settlements are between the two parties to a contract:
its commissioner's people and the people of the provider or network holding
it. A member provider of a network does not see the network's settlement;
lay partners see only published material (none of this is)."""

from django.db import models
from django.db.models import Q

from contracts.choices import Role
from core.roles import is_admin


def party_contracts(user):
    """Binding contracts `user` is a party to (admins: all), as a lazy queryset."""
    from contracts.models import Contract, Membership

    if not user.is_authenticated:
        return Contract.objects.none()
    if is_admin(user):
        return Contract.objects.binding()
    mine = Membership.objects.filter(user=user)
    return Contract.objects.binding().filter(
        Q(commissioner_id__in=mine.filter(role=Role.COMMISSIONER).values("organisation_id"))
        | Q(
            provider_id__in=mine.filter(role__in=(Role.NETWORK_MANAGER, Role.PROVIDER_USER)).values(
                "organisation_id"
            )
        )
    )


class SchemeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(contract__in=party_contracts(user).values("id"))

    def in_force_for(self, contract, year_number: int):
        """The newest version that applies to contract year `year_number`."""
        return (
            self.filter(contract=contract, effective_from_year__lte=year_number)
            .order_by("-version")
            .first()
        )


class SettlementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(contract__in=party_contracts(user).values("id"))
