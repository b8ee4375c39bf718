"""360 feedback: opening a survey, answering it, and the respondent's own
answers shown once."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView

from assurance import permissions, selectors, services
from assurance.forms import (
    SurveyAnswerForm,
    SurveyOpenForm,
)
from assurance.models import (
    FeedbackSurvey,
)
from assurance.views.rounds import RoundMixin
from contracts.choices import Role
from core.forms import add_service_errors
from core.views import ScopedViewMixin, error_summary

# Respondents see their own answers once, straight after sending them; the
# response ids live only in their session, never in the database.
SESSION_KEY = "assurance_my_responses"


class SurveyOpenView(RoundMixin, DetailView):
    """`/assurance/rounds/<id>/surveys/new/`: open a 360 feedback survey."""

    template_name = "assurance/survey_open.html"
    context_object_name = "round"
    allowed_roles = (Role.COMMISSIONER,)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = SurveyOpenForm(initial={"title": f"360 feedback {self.object.year}"})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        permissions.require_commissioner_member(request.user, self.object.commissioner)
        form = SurveyOpenForm(request.POST)
        if form.is_valid():
            try:
                survey = services.open_feedback_survey(
                    user=request.user,
                    round=self.object,
                    title=form.cleaned_data["title"],
                    closes_at=form.closes_at(),
                    minimum_respondents=form.cleaned_data["minimum_respondents"],
                )
            except ValidationError as exc:
                add_service_errors(
                    form,
                    ValidationError(
                        {
                            ("closes_on" if key == "closes_at" else key): value
                            for key, value in exc.message_dict.items()
                        }
                    ),
                )
            else:
                messages.success(request, f"{survey.title} is open for answers.")
                return redirect(reverse("assurance:scorecard", args=[self.object.pk]) + "#feedback")
        return self.render_to_response(self.get_context_data(form=form, errors=error_summary(form)))


class SurveyAnswerView(ScopedViewMixin, DetailView):
    """`/assurance/surveys/<id>/`: a partner answers a 360 survey, once."""

    model = FeedbackSurvey
    template_name = "assurance/survey_answer.html"
    context_object_name = "survey"

    def scoped_queryset(self, queryset):
        return queryset.answerable_by(self.request.user).select_related("round__commissioner")

    def form(self, data=None):
        return SurveyAnswerForm(data, statements=self.object.statements.all())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            answered=selectors.has_answered(self.request.user, self.object),
            open=self.object.is_open(timezone.now()),
        )
        context.setdefault("form", self.form())
        return context

    def post(self, request, *args, **kwargs):
        self.object = survey = self.get_object()
        form = self.form(request.POST)
        if form.is_valid():
            try:
                response = services.answer_feedback_survey(
                    user=request.user,
                    survey=survey,
                    agreements=form.agreements(),
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                request.session[SESSION_KEY] = {
                    **request.session.get(SESSION_KEY, {}),
                    str(survey.pk): str(response.pk),
                }
                return redirect("assurance:survey-sent", pk=survey.pk)
        return self.render_to_response(self.get_context_data(form=form, errors=error_summary(form)))


class SurveySentView(ScopedViewMixin, DetailView):
    """`/assurance/surveys/<id>/sent/`: thanks, with the person's own answers
    while their session lasts."""

    model = FeedbackSurvey
    template_name = "assurance/survey_sent.html"
    context_object_name = "survey"

    def scoped_queryset(self, queryset):
        return queryset.answerable_by(self.request.user).select_related("round__commissioner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        response_id = self.request.session.get(SESSION_KEY, {}).get(str(self.object.pk))
        context["mine"] = selectors.own_answers(self.object, response_id)
        return context
