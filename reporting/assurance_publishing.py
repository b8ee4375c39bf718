"""A commissioner's assurance scorecard for a year (kind "assurance"),
published to the public scorecards "like any other" by the one publishing
mechanism (reporting.publishing): a frozen snapshot, who published it and
when, the commissioner's summary for lay readers, and withdrawal with a
public reason.

Only a final round is published. The snapshot holds plain values only, so
later changes to the round, the framework or the scores never reach it:
the outcomes with value, rank, national figures, trend and monthly values;
competency levels with the previous ones and the overall level; the
governance certifications and the panel's results (no evidence, no names);
and the results of closed 360 surveys as the commissioner sees them
(suppressed below the minimum), with the number of comments but never their
text: free text can identify its writer (a small provider naming its own
service) and nobody moderates it before publication. Open surveys are left
out: nothing of their answers is released until they close
(assurance.selectors.results_of), since results frozen before a survey
closes, then again after, would differ by the latest answers and so could
single them out."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from assurance import selectors
from assurance.choices import RoundState
from assurance.models import AssessmentRound
from contracts.access import reader_scopes
from reporting import publishing
from reporting.choices import ScorecardKind
from reporting.models import PublishedScorecard

# 2: 360 comments counted, not quoted (version 1 quoted them).
# 3: no national figures from fewer than five commissioners.
# 4: the small-numbers rule for every reader (core.small_numbers), and why
#    it withheld a figure ("withheld").
SNAPSHOT_VERSION = 4


def _outcomes(round: AssessmentRound) -> list[dict]:
    """The outcomes as anyone may read them: the rank and national figures
    pass the small-numbers rule for every person's data scope and the
    public's (contracts.access.reader_scopes), checked when published."""
    rows = []
    for row in selectors.outcome_rows(round, list(reader_scopes())):
        metric, position = row["metric"], row["position"]
        rows.append(
            {
                "code": metric.code,
                "name": metric.name,
                "description": metric.description,
                "unit": metric.unit,
                "direction": metric.direction,
                "national": metric.is_national,
                "period_start": row["period"].isoformat() if row["period"] else None,
                "value": publishing.snapshot_number(position.value),
                "rank": position.rank,
                "peers": position.peers,
                "national_average": publishing.snapshot_number(position.national_average),
                "upper_quartile": publishing.snapshot_number(position.upper_quartile),
                "withheld": position.withheld,
                "improvement": publishing.snapshot_number(row["improvement"]),
                "trend": row["trend"],
                "months": [
                    {
                        "period_start": month["period_start"].isoformat(),
                        "value": publishing.snapshot_number(month["value"]),
                        "national_average": publishing.snapshot_number(month["national_average"]),
                        "withheld": month["withheld"],
                    }
                    for month in row["months"]
                ],
            }
        )
    return rows


def _feedback(round: AssessmentRound) -> list[dict]:
    surveys = []
    for results in selectors.results_of(round.surveys.order_by("closes_at", "pk")):
        if not results.closed:  # open: nothing of it is released yet
            continue
        survey = results.survey
        surveys.append(
            {
                "title": survey.title,
                "closed_on": timezone.localdate(survey.closes_at).isoformat(),
                "respondents": results.respondents,
                "minimum_respondents": survey.minimum_respondents,
                "suppressed": results.suppressed,
                "statements": [
                    {
                        "number": s.number,
                        "text": s.text,
                        "responses": s.responses,
                        "share_agreeing": publishing.snapshot_number(s.share),
                    }
                    for s in results.statements
                ],
                # None below the minimum, where comments are not counted either.
                "comment_count": None if results.suppressed else len(results.comments),
            }
        )
    return surveys


def _governance(question, answer) -> dict:
    """A governance question with the board's certification and the panel's
    result, codes and words (the evidence and the names stay private)."""
    return {
        "number": question.number,
        "title": question.title,
        "question": question.question,
        "certification": answer.certification if answer else None,
        "certification_label": answer.get_certification_display() if answer else None,
        "panel_result": (answer.panel_result or None) if answer else None,
        "panel_result_label": answer.get_panel_result_display()
        if answer and answer.panel_result
        else None,
    }


def build_snapshot(round: AssessmentRound) -> dict:
    """The frozen content of an assurance scorecard: plain JSON values only."""
    competencies, overall, overall_before = selectors.competency_rows(round)
    return {
        "version": SNAPSHOT_VERSION,
        "commissioner": {"code": round.commissioner.code, "name": round.commissioner.name},
        "year": round.year,
        "assessment_kind": round.get_kind_display(),
        "outcomes": _outcomes(round),
        "overall": publishing.snapshot_number(overall),
        "overall_before": publishing.snapshot_number(overall_before),
        "competencies": [
            {
                "number": row["competency"].number,
                "name": row["competency"].name,
                "description": row["competency"].description,
                "level": publishing.snapshot_number(row["level"]),
                "before": publishing.snapshot_number(row["last_year"]),
            }
            for row in competencies
        ],
        "governance": [
            _governance(row["question"], row["answer"]) for row in selectors.governance_rows(round)
        ],
        "feedback": _feedback(round),
    }


@dataclass
class AssuranceScorecard(publishing.Subject):
    """The scorecard of an assessment round: its commissioner's for its year."""

    round: AssessmentRound

    kind = ScorecardKind.ASSURANCE
    field = "round"
    summary_hint = "how the assessment went"

    @property
    def commissioner_id(self) -> int:
        return self.round.commissioner_id

    @property
    def name(self) -> str:
        return f"The {self.round.year} assessment"

    def identity(self) -> dict:
        return {"assessment_round": self.round}

    def scorecard_fields(self) -> dict:
        return {
            "assessment_round": self.round,
            "organisation": self.round.commissioner,
            "period_start": dt.date(self.round.year, 1, 1),
        }

    def default_title(self) -> str:
        return f"{self.round.commissioner.name}: commissioner assurance {self.round.year}"

    def lock(self) -> None:
        # Its state read afresh, and held while the snapshot is taken.
        self.round = (
            AssessmentRound.objects.select_for_update()
            .select_related("commissioner")
            .get(pk=self.round.pk)
        )

    def problems(self) -> dict[str, str]:
        if self.round.state != RoundState.FINAL:
            return {
                "round": "Only a final assessment can be published: the panel finalises it "
                "once it has reviewed the commissioner's answers."
            }
        return {}

    def build_snapshot(self, user) -> dict:
        return build_snapshot(self.round)


def publish(*, user, round: AssessmentRound, summary: str, title: str = "") -> PublishedScorecard:
    """Freeze and publish the round's scorecard (reporting.publishing.publish)."""
    return publishing.publish(AssuranceScorecard(round), user=user, summary=summary, title=title)
