"""The board's certification of each governance question and the panel's
review of it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView

from assurance import permissions, services
from assurance.forms import (
    CertifyForm,
    ReviewForm,
)
from assurance.models import (
    GovernanceAnswer,
    GovernanceQuestion,
)
from assurance.views.rounds import RoundMixin
from contracts.choices import Role
from core.forms import add_service_errors
from core.permissions import require
from core.views import ScopedViewMixin, error_summary


class CertifyView(RoundMixin, DetailView):
    """`/assurance/rounds/<id>/governance/<number>/`: the board's
    self-certification against one governance question."""

    template_name = "assurance/certify.html"
    context_object_name = "round"
    allowed_roles = (Role.COMMISSIONER,)

    def question(self):
        question = GovernanceQuestion.objects.filter(number=self.kwargs["number"]).first()
        if question is None:
            raise Http404("No such governance question.")
        return question

    def render_form(self, form, question):
        return self.render_to_response(
            self.get_context_data(form=form, question=question, errors=error_summary(form))
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        question = self.question()
        answer = GovernanceAnswer.objects.filter(round=self.object, question=question).first()
        initial = (
            {"certification": answer.certification, "evidence": answer.evidence} if (answer) else {}
        )
        return self.render_form(CertifyForm(initial=initial), question)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        permissions.require_commissioner_member(request.user, self.object.commissioner)
        question = self.question()
        form = CertifyForm(request.POST)
        if form.is_valid():
            try:
                services.certify_governance(
                    user=request.user, round=self.object, question=question, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{question.title}: the board's certification is saved.")
                return redirect(
                    reverse("assurance:scorecard", args=[self.object.pk]) + "#governance"
                )
        return self.render_form(form, question)


class ReviewView(ScopedViewMixin, DetailView):
    """`/assurance/governance/<id>/review/`: the panel confirms or challenges."""

    model = GovernanceAnswer
    template_name = "assurance/review.html"
    context_object_name = "answer"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require(
                permissions.can_review(request.user),
                "Only the assessment panel (administrators) reviews.",
            )
        return super().dispatch(request, *args, **kwargs)

    def scoped_queryset(self, queryset):
        return queryset.select_related("round__commissioner", "question", "certified_by")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        initial = {"result": self.object.panel_result, "reason": self.object.panel_reason}
        return self.render_to_response(self.get_context_data(form=ReviewForm(initial=initial)))

    def post(self, request, *args, **kwargs):
        self.object = answer = self.get_object()
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                services.review_governance(user=request.user, answer=answer, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{answer.question.title}: the panel's review is saved.")
                return redirect(
                    reverse("assurance:scorecard", args=[answer.round_id]) + "#governance"
                )
        return self.render_to_response(self.get_context_data(form=form, errors=error_summary(form)))
