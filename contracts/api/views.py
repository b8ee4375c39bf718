"""API viewsets for organisations, contracts and notices.

Reads are scoped by the base classes; each write validates the request with
an input serializer, calls one service (contracts.services or
contracts.notices) and serialises the result read back through the scoped
queryset. Services raise Django's ValidationError and PermissionDenied,
which the base classes turn into 400 (keyed by field) and 403."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from contracts import api_tokens, notices, services
from contracts.api.filters import (
    ActualCostFilter,
    ContractFilter,
    NoticeFilter,
    OrganisationFilter,
)
from contracts.api.serializers import (
    ActualCostSerializer,
    AgreePlanSerializer,
    CompleteMilestoneSerializer,
    ConcludeInvestigationSerializer,
    ContractCreateSerializer,
    ContractDeclineSerializer,
    ContractDetailSerializer,
    ContractFinanceSerializer,
    ContractSerializer,
    ContractTerminateSerializer,
    MonthlyPlanSerializer,
    NoticeCreateSerializer,
    NoticeDetailSerializer,
    NoticeSerializer,
    OrganisationSerializer,
    RecordMeetingSerializer,
    RetainSerializer,
    StepSerializer,
    WithholdSerializer,
)
from contracts.choices import NoticeStep, Role
from contracts.models import (
    ActualCost,
    Contract,
    NoticeEvent,
    Organisation,
    PerformanceNotice,
    RemedialMilestone,
)
from contracts.permissions import (
    PROVIDER_ANSWERS,
    can_answer_offer,
    can_commission,
    can_terminate,
    require_commissioner_of,
)
from contracts.selectors import financial_position
from core.api import DateTimeField, ModelSerializer, ScopedReadOnlyViewSet, as_api_error
from core.permissions import require

PARTY_ROLES = (Role.COMMISSIONER, Role.NETWORK_MANAGER, Role.PROVIDER_USER)


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """Organisations the signed-in user may see."""

    queryset = Organisation.objects.prefetch_related("members")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter


class ContractViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Contracts the signed-in user holds or is party to, whatever their
    agreement's status (docs/contracts.md): a commissioner's drafts and
    offers, and what was offered to a provider. Commissioners create a
    contract (a draft) with its years and offer it; the provider's people
    accept or decline; only an accepted contract binds and shares data."""

    queryset = Contract.objects.select_related("commissioner", "provider")
    scope = "agreements_visible_to"
    filterset_class = ContractFilter
    write_roles = (Role.COMMISSIONER, Role.NETWORK_MANAGER, Role.PROVIDER_USER)

    # A contract in full; outcomes.api.contracts adds its metric terms.
    detail_serializer_class = ContractDetailSerializer

    def get_serializer_class(self):
        if self.action == "create":
            return ContractCreateSerializer
        if self.action == "retrieve":
            return self.detail_serializer_class
        return ContractSerializer

    def scoped_queryset(self, queryset):
        if self.action in ("list", "finance", "monthly_plan"):
            return queryset
        return queryset.prefetch_related("years")

    @extend_schema(request=ContractCreateSerializer, responses={201: ContractDetailSerializer})
    def create(self, request, *args, **kwargs):
        require(can_commission(request.user), "Only commissioners create contracts.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        years = [dict(year) for year in fields.pop("years")]
        contract = services.create_contract(user=request.user, years=years, **fields)
        return Response(
            self.detail_serializer_class(self.get_queryset().get(pk=contract.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def agreement_response(self, contract) -> Response:
        return Response(self.detail_serializer_class(self.get_queryset().get(pk=contract.pk)).data)

    @extend_schema(request=None, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def offer(self, request, pk=None, format=None):
        """Offer a draft, with its terms, to the provider (its commissioner)."""
        contract = services.offer_contract(user=request.user, contract=self.get_object())
        return self.agreement_response(contract)

    @extend_schema(request=None, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, format=None):
        """Withdraw a draft or an unanswered offer (its commissioner)."""
        contract = services.withdraw_offer(user=request.user, contract=self.get_object())
        return self.agreement_response(contract)

    @extend_schema(request=None, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, format=None):
        """Accept the offer (the provider's people: a network's managers). The
        contract binds both parties from now on; its scores are computed."""
        contract = services.accept_offer(user=request.user, contract=self.get_object())
        return self.agreement_response(contract)

    @extend_schema(request=ContractDeclineSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None, format=None):
        """Decline the offer, saying why (the provider's people)."""
        contract = self.get_object()
        require(can_answer_offer(request.user, contract), PROVIDER_ANSWERS)
        serializer = ContractDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = services.decline_offer(
            user=request.user, contract=contract, **serializer.validated_data
        )
        return self.agreement_response(contract)

    @extend_schema(request=ContractTerminateSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None, format=None):
        """End an accepted contract early from a date, with a reason (either party)."""
        contract = self.get_object()
        require(
            can_terminate(request.user, contract),
            "Only the parties to this contract can terminate it.",
        )
        serializer = ContractTerminateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = services.terminate_contract(
            user=request.user, contract=contract, **serializer.validated_data
        )
        return self.agreement_response(contract)

    def finance_response(self, contract) -> Response:
        data = {
            "contract": contract.pk,
            "reference": contract.reference,
            "years": financial_position(contract),
        }
        return Response(ContractFinanceSerializer(data).data)

    @extend_schema(responses=ContractFinanceSerializer)
    @action(detail=True, methods=["get"])
    def finance(self, request, pk=None, format=None):
        """The financial plan against actual cost: per contract year, planned
        and actual cost by month, the variance (savings: planned - actual;
        negative is an overspend) and the totals to date. Money is a string."""
        return self.finance_response(self.get_object())

    @extend_schema(request=MonthlyPlanSerializer, responses=ContractFinanceSerializer)
    @action(detail=True, methods=["post"], url_path="monthly-plan")
    def monthly_plan(self, request, pk=None, format=None):
        """Split a contract year's planned budget by month (the commissioner).
        The months must add up to the year's planned budget; the year's
        previous monthly plan is replaced. Answers with the financial plan."""
        contract = self.get_object()
        require_commissioner_of(request.user, contract)
        serializer = MonthlyPlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        number = serializer.validated_data["year"]
        year = contract.years.filter(number=number).first()
        if year is None:
            raise serializers.ValidationError({"year": f"The contract has no year {number}."})
        services.set_monthly_plan(
            user=request.user,
            year=year,
            amounts={
                row["month"]: row["planned_amount"] for row in serializer.validated_data["months"]
            },
        )
        return self.finance_response(contract)


class ActualCostViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Actual cost recorded per month against the financial plan, on contracts
    the user can see. The commissioner posts a month's cost; posting the same
    month again corrects it and history keeps the earlier figure, so there is
    no PUT, PATCH or DELETE."""

    queryset = ActualCost.objects.select_related("recorded_by")
    serializer_class = ActualCostSerializer
    filterset_class = ActualCostFilter
    write_roles = (Role.COMMISSIONER,)

    @extend_schema(
        request=ActualCostSerializer,
        responses={201: ActualCostSerializer, 200: ActualCostSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Record a month's actual cost (201), or correct it (200)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cost, created = services.record_actual_cost(user=request.user, **serializer.validated_data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=cost.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class NoticeViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Contract Performance Notices on the user's contracts, raised by either
    party, and each step of the contract-management process that follows.
    Every step is one call to contracts.notices and answers with the notice."""

    queryset = PerformanceNotice.objects.select_related(
        "contract__commissioner", "contract__provider", "raised_by_organisation", "raised_by"
    ).prefetch_related("metrics")
    filterset_class = NoticeFilter
    write_roles = PARTY_ROLES

    def get_serializer_class(self):
        if self.action == "list":
            return NoticeSerializer
        if self.action == "create":
            return NoticeCreateSerializer
        return NoticeDetailSerializer

    def scoped_queryset(self, queryset):
        if self.action == "list":
            return queryset
        return queryset.prefetch_related(
            Prefetch("events", queryset=NoticeEvent.objects.select_related("author")),
            Prefetch(
                "milestones",
                queryset=RemedialMilestone.objects.select_related("owner_organisation"),
            ),
            "withholdings",
        )

    def notice_response(self, pk, status_code=status.HTTP_200_OK) -> Response:
        """The notice read back through the scoped queryset, as it now stands."""
        return Response(
            NoticeDetailSerializer(self.get_queryset().get(pk=pk)).data, status=status_code
        )

    @extend_schema(request=NoticeCreateSerializer, responses={201: NoticeDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notice = notices.raise_notice(user=request.user, **serializer.validated_data)
        return self.notice_response(notice.pk, status.HTTP_201_CREATED)

    def notice_for(self, step: NoticeStep):
        """The notice (scoped: one the user cannot see is a 404), once the
        user may take `step` on it (403 before the body is read)."""
        notice = self.get_object()
        notices.require_actor(self.request.user, notice, step)
        return notice

    def step_input(self, serializer_class, notice) -> dict:
        context = {**self.get_serializer_context(), "notice": notice}
        serializer = serializer_class(data=self.request.data, context=context)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def take_step(self, step: NoticeStep, service, serializer_class) -> Response:
        notice = self.notice_for(step)
        service(user=self.request.user, notice=notice, **self.step_input(serializer_class, notice))
        return self.notice_response(notice.pk)

    @extend_schema(request=RecordMeetingSerializer, responses=NoticeDetailSerializer)
    @action(detail=True, methods=["post"], url_path="record-meeting")
    def record_meeting(self, request, pk=None, format=None):
        """Record the contract management meeting and its outcome."""
        return self.take_step(
            NoticeStep.MEETING_HELD, notices.record_meeting, RecordMeetingSerializer
        )

    @extend_schema(request=ConcludeInvestigationSerializer, responses=NoticeDetailSerializer)
    @action(detail=True, methods=["post"], url_path="conclude-investigation")
    def conclude_investigation(self, request, pk=None, format=None):
        """End a joint investigation with a remedial plan due, or withdrawal."""
        return self.take_step(
            NoticeStep.INVESTIGATION_CONCLUDED,
            notices.conclude_investigation,
            ConcludeInvestigationSerializer,
        )

    @extend_schema(request=AgreePlanSerializer, responses=NoticeDetailSerializer)
    @action(detail=True, methods=["post"], url_path="agree-plan")
    def agree_plan(self, request, pk=None, format=None):
        """Agree the remedial action plan: milestones with owners and dates."""
        notice = self.notice_for(NoticeStep.PLAN_AGREED)
        data = self.step_input(AgreePlanSerializer, notice)
        data["milestones"] = [dict(milestone) for milestone in data["milestones"]]
        notices.agree_plan(user=request.user, notice=notice, **data)
        return self.notice_response(notice.pk)

    @extend_schema(request=CompleteMilestoneSerializer, responses=NoticeDetailSerializer)
    @action(detail=True, methods=["post"], url_path="complete-milestone")
    def complete_milestone(self, request, pk=None, format=None):
        """Mark one of the plan's milestones complete."""
        notice = self.notice_for(NoticeStep.MILESTONE_COMPLETED)
        notices.complete_milestone(
            user=request.user, **self.step_input(CompleteMilestoneSerializer, notice)
        )
        return self.notice_response(notice.pk)

    @extend_schema(request=StepSerializer, responses=NoticeDetailSerializer)
    @action(detail=True, methods=["post"], url_path="raise-exception")
    def raise_exception(self, request, pk=None, format=None):
        """Raise an Exception Notice: a milestone has been missed."""
        return self.take_step(NoticeStep.EXCEPTION_RAISED, notices.raise_exception, StepSerializer)

    @extend_schema(request=WithholdSerializer, responses=NoticeDetailSerializer)
    @action(detail=True, methods=["post"], url_path="withhold")
    def withhold(self, request, pk=None, format=None):
        """Withhold up to the contract's cap of a month's contract value (the
        commissioner, on a notice it raised, while the exception stands)."""
        return self.take_step(NoticeStep.WITHHELD, notices.withhold, WithholdSerializer)

    @extend_schema(request=RetainSerializer, responses=NoticeDetailSerializer)
    @action(detail=True, methods=["post"], url_path="retain")
    def retain(self, request, pk=None, format=None):
        """Retain for good what has been withheld unremedied for too long."""
        notice = self.notice_for(NoticeStep.RETAINED)
        notices.retain_overdue_withholdings(
            user=request.user, notice=notice, **self.step_input(RetainSerializer, notice)
        )
        return self.notice_response(notice.pk)

    @extend_schema(request=StepSerializer, responses=NoticeDetailSerializer)
    @action(detail=True, methods=["post"], url_path="escalate")
    def escalate(self, request, pk=None, format=None):
        """Escalate towards termination (the party that raised the notice)."""
        return self.take_step(NoticeStep.ESCALATED, notices.escalate, StepSerializer)

    @extend_schema(request=StepSerializer, responses=NoticeDetailSerializer)
    @action(detail=True, methods=["post"], url_path="remedied")
    def remedied(self, request, pk=None, format=None):
        """Close the notice as remedied and repay what is still withheld."""
        return self.take_step(NoticeStep.REMEDIED, notices.mark_remedied, StepSerializer)

    @extend_schema(request=StepSerializer, responses=NoticeDetailSerializer)
    @action(detail=True, methods=["post"], url_path="withdraw")
    def withdraw(self, request, pk=None, format=None):
        """Withdraw the notice (the party that raised it)."""
        return self.take_step(NoticeStep.WITHDRAWN, notices.withdraw, StepSerializer)


class MembershipOutSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


class MeSerializer(ModelSerializer):
    memberships = MembershipOutSerializer(many=True, read_only=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "first_name", "last_name", "email", "is_staff", "memberships"]


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request):
    """The signed-in user and their roles."""
    user = (
        get_user_model()
        .objects.prefetch_related("memberships__organisation")
        .get(pk=request.user.pk)
    )
    return Response(MeSerializer(user).data)


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField(help_text="The token's first characters, to tell it apart.")
    created = DateTimeField()
    expiry = DateTimeField(allow_null=True, help_text="When it stops working.")


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(
        help_text="The token itself, for the header `Authorization: Token <token>`. "
        "Shown only now: Concord keeps a digest of it, not the token."
    )


@extend_schema(methods=["GET"], responses=TokenSerializer(many=True), summary="Your API tokens")
@extend_schema(
    methods=["POST"],
    request=None,
    responses={201: NewTokenSerializer},
    summary="Create an API token (shown once)",
    description="Only in a session that signed in with a password within the last "
    "API_TOKEN_RECENT_SIGN_IN_MINUTES (15 by default): with a token, or a session signed "
    "in earlier, the answer is 403 saying so. At most ten tokens each.",
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated])
def my_tokens(request):
    """Your API tokens, newest first; POST creates one (at most ten each) in
    a recently signed-in session, never with a token."""
    if request.method == "POST":
        session = (
            request.session
            if isinstance(request.successful_authenticator, SessionAuthentication)
            else None
        )
        try:
            record, token = api_tokens.create_token_in_session(request.user, session)
        except DjangoValidationError as exc:
            raise as_api_error(exc) from exc
        data = NewTokenSerializer({**TokenSerializer(record).data, "token": token}).data
        return Response(data, status=status.HTTP_201_CREATED)
    return Response(TokenSerializer(api_tokens.tokens_of(request.user), many=True).data)


@extend_schema(request=None, responses={204: None}, summary="Revoke one of your API tokens")
@api_view(["DELETE"])
@permission_classes([IsAuthenticated])
def my_token(request, token_key):
    """Revoke one of your tokens, named by its first characters."""
    if not api_tokens.revoke_token(request.user, token_key):
        raise NotFound("You have no token starting with those characters.")
    return Response(status=status.HTTP_204_NO_CONTENT)
