from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = "Incentives and settlements"

    def ready(self):
        from incentives.tasks import recompute_drafts_after_rescore
        from outcomes.signals import scores_committed

        scores_committed.connect(
            recompute_drafts_after_rescore, dispatch_uid="incentives.recompute_drafts"
        )
