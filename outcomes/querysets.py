"""Querysets whose `visible_to(user)` applies the permission layer."""

from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from contracts.access import data_scope, organisations_seen
from contracts.choices import OrganisationKind
from core.roles import is_admin
from core.small_numbers import EVERYONE


class MeasurementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(organisation__in=data_scope(user).values("id"))

    def current(self):
        return self.filter(is_current=True)

    def scored_by(self, contract_id):
        """The revision of each value that `contract_id` scores: the current
        one, except in a month the contract accepted before a correction
        arrived, where it keeps the revision it accepted (AcceptedRevision;
        none when it accepted the month without the value). One filter, no
        query of its own: the rescore, the peer comparison and the charts
        of the contract read through it (docs/outcomes-data.md, Locks)."""
        from outcomes.choices import ReviewStatus
        from outcomes.models import AcceptedRevision

        kept = AcceptedRevision.objects.filter(
            review__contract_id=contract_id, review__status=ReviewStatus.ACCEPTED
        )
        replaced = kept.filter(
            metric_id=models.OuterRef("metric_id"),
            review__organisation_id=models.OuterRef("organisation_id"),
            review__period_start=models.OuterRef("period_start"),
        )
        return self.filter(
            models.Q(is_current=True) & ~models.Exists(replaced)
            | models.Q(pk__in=kept.filter(measurement__isnull=False).values("measurement_id"))
        )


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The submitter sees their submissions; others see those with stored
        rows about an organisation in their scope (admins: all)."""
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self
        from outcomes.models import Measurement

        in_scope = Measurement.objects.filter(
            submission=models.OuterRef("pk"), organisation__in=data_scope(user).values("id")
        )
        return self.filter(models.Q(submitted_by=user) | models.Exists(in_scope))


class ScoreQuerySet(models.QuerySet):
    """Stored scores (metric, dimension and aggregate rows of a ScoreRun)."""

    def visible_to(self, user):
        """Scores of contracts the user can see, and within them only the
        organisations in the user's data scope (a provider user sees their
        own rows, not their network's pooled row nor their peers')."""
        from contracts.models import Contract

        if not user.is_authenticated:
            return self.none()
        return self.filter(
            run__contract__in=Contract.objects.visible_to(user).values("id"),
            organisation__in=data_scope(user).values("id"),
        )

    def current(self):
        """Only rows of each contract's current run."""
        return self.filter(run__is_current=True)

    def with_seen_contributors(self, user, period=None):
        """Metric scores with `seen_contributors`, what the small-numbers rule
        needs to know of whom `user` sees among a single provider's peers when
        the score does not name them (more than PEER_IDS_UP_TO of them): how
        many organisations in the user's data scope have a current value for
        the metric that month. That may count some that are not peers, never
        too few (values are superseded, never deleted). Null for a network's
        scores (they name the members pooled), outside `period` when one is
        given, and for admins, who see everyone. No query of its own."""
        from outcomes.models import Measurement

        if organisations_seen(user) is EVERYONE:
            return self.annotate(seen_contributors=Value(None, output_field=IntegerField()))
        peers = (
            Measurement.objects.filter(
                is_current=True,
                metric_id=OuterRef("metric_id"),
                period_start=OuterRef("period_start"),
                organisation__in=data_scope(user).values("id"),
            )
            .order_by()
            .values("metric_id")
            .annotate(n=Count("organisation_id", distinct=True))
            .values("n")[:1]
        )
        single = ~Q(run__contract__provider__kind=OrganisationKind.NETWORK)
        if period is not None:
            single &= Q(period_start=period)
        return self.annotate(
            seen_contributors=Case(
                When(single, then=Coalesce(Subquery(peers), 0)), output_field=IntegerField()
            )
        )


class SpcRebaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Rebases of the contracts the user can see, of series in their
        data scope: another contract's rebases are not the user's."""
        from contracts.models import Contract

        if not user.is_authenticated:
            return self.none()
        return self.filter(
            contract__in=Contract.objects.visible_to(user).values("id"),
            organisation__in=data_scope(user).values("id"),
        )


class RescoreRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        from contracts.models import Contract

        return self.filter(contract__in=Contract.objects.visible_to(user).values("id"))


class ContractMetricQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Terms are part of the agreement: the parties see a contract's
        terms from when it is offered (its commissioner from the draft)."""
        from contracts.models import Contract

        return self.filter(contract__in=Contract.objects.agreements_visible_to(user))

    def in_force_on(self, day):
        """The version of each contract metric in force on `day`: the latest
        effective_from on or before it (one query; DISTINCT ON would tie us
        to PostgreSQL, so a correlated subquery picks the version)."""
        latest = (
            self.model.objects.filter(
                contract=OuterRef("contract"), metric=OuterRef("metric"), effective_from__lte=day
            )
            .order_by("-effective_from")
            .values("pk")[:1]
        )
        return self.filter(effective_from__lte=day, pk=Subquery(latest))


class VariationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Variations of the agreed contracts `user` is party to (members of
        a network see those of its contracts too)."""
        from contracts.models import Contract

        return self.filter(contract__in=Contract.objects.visible_to(user))

    def open(self):
        from outcomes.choices import VariationStatus

        return self.filter(status=VariationStatus.PROPOSED)
