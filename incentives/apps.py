from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = "Incentives and settlements"

    def ready(self):
        from incentives.selectors import signed_off_years_refusal
        from incentives.tasks import recompute_drafts_after_rescore
        from outcomes.signals import checking_variation, scores_committed

        scores_committed.connect(
            recompute_drafts_after_rescore, dispatch_uid="incentives.recompute_drafts"
        )
        checking_variation.connect(
            signed_off_years_refusal, dispatch_uid="incentives.signed_off_years"
        )
