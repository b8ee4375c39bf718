"""Querysets whose `visible_to(user)` applies the permission layer.

A commissioner's assessment (its rounds, governance answers and feedback
results) is visible to its own commissioner people and to admins, who sit as
the assessment panel. Providers and partners who give 360 feedback see the
surveys they may answer, never the results or anyone's answers."""

from django.db import models

from contracts.choices import Role
from core.roles import is_admin


def assessed_commissioners(user):
    """Organisation ids whose assessment `user` may read (admins: all)."""
    from contracts.models import Membership, Organisation

    if not user.is_authenticated:
        return Organisation.objects.none().values("id")
    if is_admin(user):
        return Organisation.objects.values("id")
    return Membership.objects.filter(user=user, role=Role.COMMISSIONER).values("organisation_id")


class AssessmentRoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(commissioner_id__in=assessed_commissioners(user))


class RoundPartQuerySet(models.QuerySet):
    """Rows of a round (governance answers, measure ratings, outcome
    choices) are visible with their round."""

    def visible_to(self, user):
        return self.filter(round__commissioner_id__in=assessed_commissioners(user))


def commissioners_worked_with(user):
    """Commissioner ids whose 360 feedback `user` may give: those holding a
    contract with an organisation the user belongs to (or with a network it
    is a member of), and those the user is a lay partner of."""
    from contracts.models import Contract, Membership, NetworkMember, Organisation

    mine = Membership.objects.filter(user=user).values("organisation_id")
    networks = NetworkMember.objects.filter(provider_id__in=mine).values("network_id")
    contracted = (
        Contract.objects.binding()
        .filter(models.Q(provider_id__in=mine) | models.Q(provider_id__in=networks))
        .values("commissioner_id")
    )
    lay = Membership.objects.filter(user=user, role=Role.LAY_PARTNER).values("organisation_id")
    return Organisation.objects.filter(models.Q(id__in=contracted) | models.Q(id__in=lay)).values(
        "id"
    )


class FeedbackSurveyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The commissioner's people and the panel see its surveys; the people
        it works with see the surveys they may answer."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(round__commissioner_id__in=assessed_commissioners(user))
            | models.Q(round__commissioner_id__in=commissioners_worked_with(user))
        )

    def answerable_by(self, user):
        """Surveys `user` may answer (its commissioner's own people may not)."""
        if not user.is_authenticated:
            return self.none()
        from contracts.models import Membership

        own = Membership.objects.filter(user=user, role=Role.COMMISSIONER)
        return self.filter(round__commissioner_id__in=commissioners_worked_with(user)).exclude(
            round__commissioner_id__in=own.values("organisation_id")
        )
