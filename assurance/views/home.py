"""`/assurance/`: the rounds a person may see and the surveys they may answer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import ListView

from assurance import permissions, selectors, services
from assurance.forms import (
    RoundForm,
)
from assurance.models import (
    AssessmentRound,
    FeedbackSurvey,
)
from core.forms import add_service_errors
from core.permissions import require
from core.views import ScopedViewMixin, error_summary


class AssuranceHomeView(ScopedViewMixin, ListView):
    """`/assurance/`: assessment rounds (the commissioner's own, or all for the
    panel), and open 360 surveys the person is asked to answer."""

    model = AssessmentRound
    template_name = "assurance/home.html"
    context_object_name = "rounds"

    def scoped_queryset(self, queryset):
        return queryset.select_related("commissioner").order_by("commissioner__name", "-year")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        surveys = list(
            FeedbackSurvey.objects.answerable_by(user)
            .filter(closes_at__gt=timezone.now())
            .select_related("round__commissioner")
            .order_by("closes_at")
        )
        answered = selectors.answered_survey_ids(user, surveys)
        for survey in surveys:
            survey.answered = survey.pk in answered
        commissioners = list(permissions.commissioners_spoken_for(user))
        context.update(
            surveys=surveys,
            commissioners=commissioners,
            round_form=kwargs.get("round_form") or RoundForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        commissioner = permissions.commissioners_spoken_for(request.user)
        commissioner = commissioner.filter(pk=request.POST.get("commissioner")).first()
        require(commissioner is not None, "Only a commissioner's own people open its assessment.")
        form = RoundForm(request.POST)
        if form.is_valid():
            try:
                round = services.open_assessment_round(
                    user=request.user, commissioner=commissioner, year=form.cleaned_data["year"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Assessment {round.year} opened.")
                return redirect("assurance:scorecard", pk=round.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(
            self.get_context_data(round_form=form, errors=error_summary(form))
        )
