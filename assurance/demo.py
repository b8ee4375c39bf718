"""Demo commissioner assurance for seed_demo: the World Class Commissioning
framework defaults, and QNW's assessment for the demo year with its board's
governance self-certification and its outcome metrics (up to five national
and five local from its contracts), for the panel to review and for QNW to
open a 360 survey from. Idempotent and deterministic: a rerun changes nothing."""

from django.contrib.auth import get_user_model

from assurance import services
from assurance.models import AssessmentRound, GovernanceAnswer, GovernanceQuestion
from assurance.services import OUTCOMES_PER_KIND
from contracts.models import ContractMetric, Organisation
from outcomes.demo import REFERENCE_DATE
from outcomes.models import Metric

# Question number: (certification, evidence).
GOVERNANCE = {
    1: (
        "in_place",
        "Five-year strategy approved by the board in March, with outcome ambitions "
        "for older people and people with long-term conditions.",
    ),
    2: (
        "partly",
        "Medium-term financial plan to 2028 approved; the years after are not yet modelled.",
    ),
    3: (
        "in_place",
        "Board assurance framework and risk register reviewed monthly; integrated "
        "performance report to every board meeting.",
    ),
    4: (
        "partly",
        "Organisational development plan drafted; the procurement skills gap is not yet addressed.",
    ),
}


def seed_assurance(contracts) -> None:
    services.load_default_framework()
    commissioner = get_user_model().objects.get(username="commissioner")
    qnw = Organisation.objects.get(code="QNW")
    round = AssessmentRound.objects.filter(commissioner=qnw, year=REFERENCE_DATE.year).first()
    if round is None:
        round = services.open_assessment_round(
            user=commissioner, commissioner=qnw, year=REFERENCE_DATE.year
        )
    for question in GovernanceQuestion.objects.filter(number__in=GOVERNANCE):
        if not GovernanceAnswer.objects.filter(round=round, question=question).exists():
            certification, evidence = GOVERNANCE[question.number]
            services.certify_governance(
                user=commissioner,
                round=round,
                question=question,
                certification=certification,
                evidence=evidence,
            )
    if not round.outcomes.exists():
        contracted = ContractMetric.objects.filter(contract__commissioner=qnw)
        metrics = Metric.objects.filter(pk__in=contracted.values("metric_id")).order_by("code")
        chosen = [m for m in metrics if m.is_national][:OUTCOMES_PER_KIND] + [
            m for m in metrics if not m.is_national
        ][:OUTCOMES_PER_KIND]
        services.choose_outcomes(user=commissioner, round=round, metrics=chosen)
