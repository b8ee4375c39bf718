from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes, measurements and scorecards"

    def ready(self):
        from contracts.signals import contract_accepted
        from outcomes.tasks import score_accepted_contract

        contract_accepted.connect(score_accepted_contract, dispatch_uid="outcomes.score_accepted")
