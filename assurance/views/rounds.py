"""A round's scorecard (governance answers and reviews, 360 results), its
steps through the cycle, its measures' ratings and its health outcomes."""

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView

from assurance import cycle, evidence, permissions, rollup, selectors, services
from assurance.choices import Certification, PanelResult, RoundAction, RoundState
from assurance.forms import (
    FinalLevelForm,
    OutcomesForm,
    ReturnForm,
    SelfRatingForm,
)
from assurance.models import (
    AssessmentRound,
    Measure,
    MeasureRating,
)
from assurance.presentation import TREND_MEANING, outcome_trend
from contracts.access import organisations_seen, small_numbers_k
from contracts.choices import Role
from core.forms import add_service_errors
from core.permissions import require
from core.views import ScopedViewMixin, error_summary, tag


class RoundMixin(ScopedViewMixin):
    model = AssessmentRound

    def scoped_queryset(self, queryset):
        return queryset.select_related("commissioner")


class ScorecardView(RoundMixin, DetailView):
    """`/assurance/rounds/<id>/`: the commissioner's assurance scorecard."""

    template_name = "assurance/scorecard.html"
    context_object_name = "round"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        governance = selectors.governance_rows(self.object)
        for row in governance:
            answer = row["answer"]
            if answer:
                answer.certification_tag = Certification(answer.certification).tag
                answer.result_tag = (
                    PanelResult(answer.panel_result).tag
                    if answer.panel_result
                    else tag("Awaiting review", "grey")
                )
        surveys = selectors.results_of(self.object.surveys.order_by("-opened_at"))
        competencies, overall, overall_last_year = selectors.competency_rows(self.object)
        outcomes = selectors.outcome_rows(self.object, [organisations_seen(self.request.user)])
        for row in outcomes:
            metric = row["metric"]
            row["trend_view"] = outcome_trend(
                metric.code, metric.name, metric.unit, row["months"], row["trend"]
            )
        context.update(
            actions=cycle.actions_for(self.request.user, self.object),
            state_tag=RoundState(self.object.state).tag,
            return_form=kwargs.get("return_form") or ReturnForm(),
            transitions=self.object.transitions.select_related("by"),
            previous=self.object.previous_final,
            overall_change=rollup.change(overall, overall_last_year),
            small_numbers_k=small_numbers_k(),
            notices=evidence.notices_against(self.object),
            notice_competency=next(
                (
                    row["competency"]
                    for row in competencies
                    if row["competency"].number == evidence.NOTICE_COMPETENCY
                ),
                None,
            ),
            outcomes=outcomes,
            trend_meaning=TREND_MEANING,
            competencies=competencies,
            overall=overall,
            overall_last_year=overall_last_year,
            governance=governance,
            surveys=surveys,
            may_certify=permissions.can_speak_for(self.request.user, self.object.commissioner),
            is_panel=permissions.can_review(self.request.user),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Close a survey early (the commissioner)."""
        self.object = self.get_object()
        permissions.require_commissioner_member(request.user, self.object.commissioner)
        survey = self.object.surveys.filter(pk=request.POST.get("close_survey")).first()
        if survey is None:
            raise Http404("No such survey in this assessment.")
        try:
            services.close_feedback_survey(user=request.user, survey=survey)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{survey.title} is closed.")
        return redirect("assurance:scorecard", pk=self.object.pk)


class TransitionView(ScorecardView):
    """`/assurance/rounds/<id>/state/` (POST): submit the round for review
    (the commissioner), return it with a reason or finalise it (the panel).
    A refusal re-shows the scorecard with what is missing."""

    http_method_names = ["post"]
    allowed_roles = (Role.COMMISSIONER,)
    DONE = {
        RoundAction.SUBMIT: "submitted to the panel for review",
        RoundAction.RETURN: "returned to the commissioner",
        RoundAction.FINALISE: "final",
    }

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        action = request.POST.get("action")
        if action not in RoundAction.values:
            raise BadRequest("No such step for an assessment.")
        form = ReturnForm(request.POST)
        form.is_valid()
        try:
            round = cycle.transition(
                user=request.user,
                round=self.object,
                action=action,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as exc:
            if action == RoundAction.RETURN:
                add_service_errors(form, exc)
                errors = error_summary(form)
            else:
                errors = [("#assessment-cycle", message) for message in exc.messages]
            return self.render_to_response(self.get_context_data(return_form=form, errors=errors))
        messages.success(request, f"The assessment {round.year} is {self.DONE[action]}.")
        return redirect("assurance:scorecard", pk=round.pk)


class RatingView(RoundMixin, DetailView):
    """`/assurance/rounds/<id>/measures/<measure id>/`: the commissioner's
    self assessment of a measure, and the panel's final level."""

    template_name = "assurance/rating.html"
    context_object_name = "round"

    def setup_objects(self):
        self.object = self.get_object()
        self.measure = (
            Measure.objects.select_related("competency").filter(pk=self.kwargs["measure"]).first()
        )
        if self.measure is None:
            raise Http404("No such measure.")
        self.rating = MeasureRating.objects.filter(round=self.object, measure=self.measure).first()

    def forms(self, data=None, which=None):
        rating, measure = self.rating, self.measure
        self_form = final_form = None
        if permissions.can_speak_for(self.request.user, self.object.commissioner):
            initial = {"level": rating.self_level, "evidence": rating.evidence} if rating else {}
            self_form = SelfRatingForm(
                data if which == "self" else None, initial=initial, measure=measure
            )
        if permissions.can_review(self.request.user) and rating:
            initial = {"level": rating.final_level, "reason": rating.panel_reason}
            final_form = FinalLevelForm(
                data if which == "final" else None, initial=initial, measure=measure
            )
        return self_form, final_form

    def render_forms(self, self_form, final_form, errors=()):
        return self.render_to_response(
            self.get_context_data(
                measure=self.measure,
                rating=self.rating,
                self_form=self_form,
                final_form=final_form,
                errors=errors,
            )
        )

    def get(self, request, *args, **kwargs):
        self.setup_objects()
        return self.render_forms(*self.forms())

    def post(self, request, *args, **kwargs):
        self.setup_objects()
        which = request.POST.get("form")
        self_form, final_form = self.forms(request.POST, which)
        form = {"self": self_form, "final": final_form}.get(which)
        require(form is not None, "You cannot rate this measure.")
        if form.is_valid():
            try:
                if which == "self":
                    services.rate_measure(
                        user=request.user,
                        round=self.object,
                        measure=self.measure,
                        **form.cleaned_data,
                    )
                else:
                    services.set_final_level(
                        user=request.user, rating=self.rating, **form.cleaned_data
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{self.measure.code} {self.measure.name}: rating saved.")
                return redirect(
                    reverse("assurance:scorecard", args=[self.object.pk]) + "#competencies"
                )
        return self.render_forms(self_form, final_form, error_summary(form))


class OutcomesView(RoundMixin, DetailView):
    """`/assurance/rounds/<id>/outcomes/`: the commissioner chooses the
    outcome metrics it is assessed on."""

    template_name = "assurance/outcomes.html"
    context_object_name = "round"
    allowed_roles = (Role.COMMISSIONER,)

    def form(self, data=None):
        initial = {"metrics": [c.metric_id for c in self.object.outcomes.all()]}
        return OutcomesForm(data, initial=initial, commissioner=self.object.commissioner)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(form=self.form()))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        permissions.require_commissioner_member(request.user, self.object.commissioner)
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.choose_outcomes(
                    user=request.user, round=self.object, metrics=form.cleaned_data["metrics"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Outcome metrics saved.")
                return redirect(reverse("assurance:scorecard", args=[self.object.pk]) + "#outcomes")
        return self.render_to_response(self.get_context_data(form=form, errors=error_summary(form)))
