"""Querysets whose `visible_to(user)` applies the permission layer.

A commissioner's assessment (its rounds, governance answers and feedback
results) is visible to its own commissioner people and to admins, who sit as
the assessment panel. Providers and partners who give 360 feedback see the
surveys they may answer, never the results or anyone's answers."""

from django.db import models

from contracts.choices import Role


def assessed_commissioners(user):
    """Organisation ids whose assessment `user` may read (admins: all)."""
    from contracts.models import Membership, Organisation

    if not user.is_authenticated:
        return Organisation.objects.none().values("id")
    if user.is_staff:
        return Organisation.objects.values("id")
    return Membership.objects.filter(user=user, role=Role.COMMISSIONER).values("organisation_id")


class AssessmentRoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(commissioner_id__in=assessed_commissioners(user))


class GovernanceAnswerQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(round__commissioner_id__in=assessed_commissioners(user))
