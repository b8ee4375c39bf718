"""`/account/`: who you are in Concord (your organisations and roles), your
API tokens (create, shown once, after a recent sign-in; revoke), and links
to what you receive."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.generic import TemplateView

from contracts import api_tokens


class AccountView(LoginRequiredMixin, TemplateView):
    template_name = "contracts/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            memberships=user.memberships.select_related("organisation").order_by(
                "organisation__name", "role"
            ),
            tokens=api_tokens.tokens_of(user),
            token_limit=api_tokens.TOKENS_PER_PERSON,
            may_create_token=api_tokens.signed_in_recently(self.request.session),
            recent_minutes=settings.API_TOKEN_RECENT_SIGN_IN_MINUTES,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "create":
            try:
                record, token = api_tokens.create_token_in_session(request.user, request.session)
            except PermissionDenied as exc:  # signed in too long ago: the page offers sign-in
                messages.error(request, str(exc))
                return redirect("contracts:account")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("contracts:account")
            # Rendered, not redirected: the token is never stored to show later.
            return self.render_to_response(self.get_context_data(new_token=token, record=record))
        if action == "revoke":
            key = request.POST.get("token_key", "")
            if api_tokens.revoke_token(request.user, key):
                messages.success(request, f"Token {key}… revoked: it no longer works.")
            else:
                messages.error(request, "That token was not found: it may already be revoked.")
        elif action == "revoke_all":
            count = api_tokens.revoke_all(request.user)
            messages.success(request, f"{count} token{'s' if count != 1 else ''} revoked.")
        return redirect("contracts:account")
