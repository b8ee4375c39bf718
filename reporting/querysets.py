"""Querysets whose `visible_to(user)` applies the permission layer."""

from django.db import models


class PublishedScorecardQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published scorecards are public: everyone, signed in or not, may
        read every one (a withdrawn one shows its withdrawal, not its data)."""
        return self

    def live(self):
        return self.filter(withdrawn_at__isnull=True)
