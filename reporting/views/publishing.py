"""The commissioner's pages that publish and withdraw a scorecard, one of
each for both kinds (reporting.publishing): `/scorecards/publish/?contract=&period=`
(a contract's month, from the dashboard), `/assurance/rounds/<id>/publish/`
(a final assessment round, from its scorecard) and `/scorecards/<id>/withdraw/`.

A publish page previews what would be frozen, says what stops it being
published yet (the kind's `problems`, in the words the service would refuse
with) or which live scorecard must be withdrawn first, and takes a title
and a summary. A kind's view says how to find its subject and supplies the
page's words and its preview (`page`, `preview_template`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView

from assurance.public import overview
from assurance.views.rounds import RoundMixin
from contracts.choices import Role
from contracts.models import Contract
from core.forms import add_service_errors
from core.permissions import require
from core.views import ScopedViewMixin, error_summary
from incentives.selectors import public_settlements
from reporting import dashboards, publishing
from reporting.assurance_publishing import AssuranceScorecard
from reporting.contract_publishing import ContractScorecard
from reporting.forms import PublishForm, WithdrawForm
from reporting.models import PublishedScorecard
from reporting.permissions import can_publish


class CommissionerFormView(ScopedViewMixin, TemplateView):
    """A commissioner's page of one form handed to one publishing service:
    `load` finds what it is about (and refuses who may not), `make_form`,
    `context` and `submit` (the service call, giving the page to go to and
    what to say) are the page's own."""

    allowed_roles = (Role.COMMISSIONER,)

    def load(self) -> None:
        raise NotImplementedError

    def make_form(self, data=None):
        raise NotImplementedError

    def context(self) -> dict:
        raise NotImplementedError

    def submit(self, form):
        """(what to redirect to, the success message); ValidationError refuses."""
        raise NotImplementedError

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        form = form or self.make_form()
        context.update(
            form=form, errors=error_summary(form) if form.is_bound else [], **self.context()
        )
        return context

    def get(self, request, *args, **kwargs):
        self.load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                target, message = self.submit(form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(target)
        return self.render_to_response(self.get_context_data(form=form))


class PublishView(CommissionerFormView):
    """The publish page of either kind."""

    template_name = "reporting/scorecard_publish.html"
    # The kind's preview of what the scorecard will tell readers.
    preview_template: str

    def get_subject(self) -> publishing.Subject:
        """The subject asked for (404 when there is none to publish)."""
        raise NotImplementedError

    def page(self, subject, publishable: bool) -> dict:
        """The kind's words: `heading`, `caption`, `back_url`, `back_text`,
        `freezes` (what publishing freezes), `blocked` (the title of what
        stops it), optionally `fix_url` and `fix_text`; and the preview's
        context when `publishable`."""
        raise NotImplementedError

    def load(self):
        self.subject = self.get_subject()
        require(
            can_publish(self.request.user, self.subject.commissioner_id),
            "Only the commissioner's people or an admin can publish it.",
        )

    def make_form(self, data=None):
        subject = self.subject
        return PublishForm(
            data, initial={"title": subject.default_title()}, hint=subject.summary_hint
        )

    def context(self) -> dict:
        subject = self.subject
        existing = publishing.live_scorecard(subject)
        problems = list(subject.problems().values())
        return {
            "subject": subject,
            "existing": existing,
            "problems": problems,
            "preview_template": self.preview_template,
            **self.page(subject, publishable=existing is None and not problems),
        }

    def submit(self, form):
        scorecard = publishing.publish(self.subject, user=self.request.user, **form.cleaned_data)
        return scorecard, f"Published: {scorecard.title}."


class ContractPublishView(PublishView):
    """`/scorecards/publish/?contract=&period=`: a contract's scorecard for a
    month, for its network or provider as a whole."""

    model = Contract
    preview_template = "reporting/_publish_payments.html"

    def get_subject(self) -> ContractScorecard:
        params = self.request.GET
        selection = dashboards.select(
            self.request.user, contract=params.get("contract"), period=params.get("period")
        )
        contract = selection.contract
        # The dashboard falls back to another contract or month; publishing never does.
        if "contract" in params and (
            contract is None or contract.pk != dashboards.parse_id(params["contract"])
        ):
            raise Http404("You hold no such contract.")
        require(contract is not None, "Only the contract's commissioner may publish its scorecard.")
        if selection.period is None:
            raise Http404("The contract has not started.")
        if "period" in params and selection.period != dashboards.parse_month(params["period"]):
            raise Http404("That is not a month of the contract that has started.")
        return ContractScorecard(contract, contract.provider, selection.period)

    def page(self, subject, publishable: bool) -> dict:
        contract, period = subject.contract, subject.period
        month = f"{period:%Y-%m}"
        if subject.after_termination:
            blocked = {"blocked": "The contract had ended by this month", "fix_url": ""}
        else:
            blocked = {
                "blocked": "The data is not accepted yet",
                "fix_url": f"{reverse('outcomes:contract-data', args=[contract.pk])}"
                f"?period={month}",
                "fix_text": f"Review the data for {period:%B %Y}",
            }
        return {
            "heading": f"Publish the scorecard for {subject.organisation.name}, {period:%B %Y}",
            "caption": f"Contract {contract.reference}: {contract.title}",
            "back_url": f"{reverse('reporting:dashboard')}?contract={contract.pk}&period={month}",
            "back_text": "Dashboard",
            "freezes": "Publishing freezes the scores, your summary and the charts as they "
            "are now.",
            **blocked,
            "payments": public_settlements(contract, subject.organisation.name),
        }


class AssurancePublishView(RoundMixin, PublishView):
    """`/assurance/rounds/<id>/publish/`: a final round's assurance scorecard."""

    preview_template = "reporting/_publish_overview.html"

    def get_subject(self) -> AssuranceScorecard:
        return AssuranceScorecard(get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"]))

    def page(self, subject, publishable: bool) -> dict:
        round = subject.round
        return {
            "heading": f"Publish the assurance scorecard {round.year}",
            "caption": round.commissioner.name,
            "back_url": reverse("assurance:scorecard", args=[round.pk]),
            "back_text": f"Assurance scorecard {round.year}",
            "freezes": "Publishing freezes the health outcomes with their trends, the "
            "competency levels, the governance statements with the panel's review and the "
            "results of closed 360 feedback surveys (as shown on the scorecard: suppressed "
            "where too few answered), with your summary. Evidence, reasons and names are not "
            "published.",
            "blocked": "The assessment is not final yet",
            "overview": overview(subject.build_snapshot(self.request.user)) if publishable else [],
        }


class WithdrawView(CommissionerFormView):
    """`/scorecards/<id>/withdraw/`: the commissioner withdraws a scorecard
    of either kind."""

    model = PublishedScorecard
    template_name = "reporting/scorecard_withdraw.html"

    def load(self):
        self.scorecard = get_object_or_404(
            self.get_queryset().select_related("contract"), pk=self.kwargs["pk"]
        )
        require(
            can_publish(self.request.user, self.scorecard.publisher_id),
            "Only the commissioner may withdraw its scorecard.",
        )
        if self.scorecard.is_withdrawn:
            raise Http404("This scorecard has already been withdrawn.")

    def make_form(self, data=None):
        return WithdrawForm(data)

    def context(self) -> dict:
        return {"scorecard": self.scorecard}

    def submit(self, form):
        publishing.withdraw(
            user=self.request.user, scorecard=self.scorecard, reason=form.cleaned_data["reason"]
        )
        return self.scorecard, "The scorecard was withdrawn."
