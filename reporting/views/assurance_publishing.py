"""`/assurance/rounds/<id>/publish/`: the commissioner (or an admin)
previews a final round's assurance scorecard and publishes it to the public
scorecards (reporting.assurance_publishing). Withdrawal is the public scorecards'
own page (`/scorecards/<id>/withdraw/`)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import DetailView

from assurance.choices import RoundState
from assurance.public import overview
from assurance.views import RoundMixin
from contracts.choices import Role
from core.forms import NHSForm, add_service_errors
from core.views import error_summary
from reporting import assurance_publishing as publishing
from reporting.models import PublishedScorecard


class PublishForm(NHSForm):
    title = forms.CharField(label="Title", max_length=200)
    summary = forms.CharField(
        label="Summary for lay readers",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="In plain English: how the assessment went, what is improving and what "
        "is being done about what is not. This text is published as you write it.",
    )


class PublishView(RoundMixin, DetailView):
    template_name = "reporting/assurance_publish.html"
    context_object_name = "round"
    allowed_roles = (Role.COMMISSIONER,)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        round = self.object
        form = form or PublishForm(initial={"title": publishing.default_title(round)})
        is_final = round.state == RoundState.FINAL
        context.update(
            form=form,
            errors=error_summary(form) if form.is_bound else [],
            is_final=is_final,
            existing=PublishedScorecard.objects.live().filter(assessment_round=round).first(),
            preview=overview(publishing.build_snapshot(round, timezone.now())) if is_final else [],
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                scorecard = publishing.publish(
                    user=request.user, round=self.object, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Published: {scorecard.title}.")
                return redirect(scorecard)
        return self.render_to_response(self.get_context_data(form=form))
