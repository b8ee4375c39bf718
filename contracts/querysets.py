"""Querysets whose `visible_to(user)` applies the permission layer."""

from django.db import models
from django.db.models import Q

from contracts.access import data_scope
from contracts.choices import (
    BINDING_CONTRACT_STATUSES,
    OFFER_ANSWERED_BY,
    ContractStatus,
    Role,
)
from core.roles import is_admin


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The organisations whose pages `user` may open: those in their data
        scope, their own, and the parties to the contracts they can see (a
        member provider sees its network and the commissioner). Seeing an
        organisation is not seeing its data: data reads use data_scope."""
        from contracts.models import Contract

        if not user.is_authenticated:
            return self.none()
        # A lay partner sees the organisation they belong to, nothing more.
        contracts = Contract.objects.visible_to(user)
        return self.filter(
            Q(id__in=data_scope(user).values("id"))
            | Q(memberships__user=user)
            | Q(id__in=contracts.values("provider_id"))
            | Q(id__in=contracts.values("commissioner_id"))
        ).distinct()

    def networks(self):
        from contracts.choices import OrganisationKind

        return self.filter(kind=OrganisationKind.NETWORK)


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(organisation__in=data_scope(user).values("id"))


class ContractQuerySet(models.QuerySet):
    def binding(self):
        """Contracts in force between their parties: accepted by the provider
        (or terminated after it). Only these share data (contracts.access)."""
        return self.filter(status__in=BINDING_CONTRACT_STATUSES)

    def visible_to(self, user):
        """Contracts whose data `user` may read: binding contracts they hold
        (commissioners) or are party to (the provider's people), members of a
        network also those of their networks; admins every binding contract.
        Drafts, offers and declined or withdrawn offers are never here:
        agreements_visible_to shows them to the parties as agreements."""
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self.binding()
        commissioners, parties, their_networks = _organisations_of(user)
        return self.binding().filter(
            Q(commissioner_id__in=commissioners)
            | Q(provider_id__in=parties)
            | Q(provider_id__in=their_networks)
        )

    def agreements_visible_to(self, user):
        """Contracts `user` may see as agreements, whatever their status: a
        commissioner's people see all its contracts, drafts included; the
        provider's people see what was offered to it (not drafts); members of
        a network see only the network's binding contracts; admins see all.
        Seeing an agreement is not reading data: that is visible_to."""
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self.all()
        commissioners, parties, their_networks = _organisations_of(user)
        return self.filter(
            Q(commissioner_id__in=commissioners)
            | (Q(provider_id__in=parties) & ~Q(status=ContractStatus.DRAFT))
            | (Q(provider_id__in=their_networks) & Q(status__in=BINDING_CONTRACT_STATUSES))
        )

    def offers_to(self, user):
        """Offers waiting for an answer from the provider `user` speaks for
        (contracts.permissions.can_answer_offer)."""
        from contracts.models import Membership

        answering = Q()
        for kind, role in OFFER_ANSWERED_BY.items():
            answering |= Q(role=role, organisation__kind=kind)
        speaks_for = Membership.objects.filter(answering, user=user)
        return self.filter(
            status=ContractStatus.OFFERED, provider_id__in=speaks_for.values("organisation_id")
        )


def _organisations_of(user):
    """(commissioners, provider parties, networks of those providers) that
    `user` speaks for, as subqueries."""
    from contracts.models import Membership, NetworkMember

    mine = Membership.objects.filter(user=user)
    commissioners = mine.filter(role=Role.COMMISSIONER).values("organisation_id")
    parties = mine.filter(role__in=(Role.NETWORK_MANAGER, Role.PROVIDER_USER)).values(
        "organisation_id"
    )
    their_networks = NetworkMember.objects.filter(provider_id__in=parties).values("network_id")
    return commissioners, parties, their_networks


class ActualCostQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Actual costs of the contracts the user can see."""
        from contracts.models import Contract

        return self.filter(contract__in=Contract.objects.visible_to(user))


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Notices on contracts the user can see (both the ones raised against
        them and the ones they raised)."""
        from contracts.models import Contract

        return self.filter(contract__in=Contract.objects.visible_to(user))

    def open(self):
        from contracts.choices import CLOSED_NOTICE_STATUSES

        return self.exclude(status__in=CLOSED_NOTICE_STATUSES)

    def with_next_milestone(self):
        """Each notice's `next_milestone`: the earliest due date of its
        milestones not completed (contracts.selectors.pending_deadline)."""
        return self.annotate(
            next_milestone=models.Min(
                "milestones__due_on", filter=Q(milestones__completed_on__isnull=True)
            )
        )
