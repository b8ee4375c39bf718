"""API tokens for people who call /api/v1/ from scripts (django-rest-knox).

Only a SHA-512 digest of each token is stored: the token itself is shown
once, when it is created. Tokens expire (REST_KNOX TOKEN_TTL, 90 days by
default) and can be revoked one by one or all at once.

A person creates a token in an interactive session that signed in with a
password recently (API_TOKEN_RECENT_SIGN_IN_MINUTES, 15 by default), never
with a token: otherwise a stolen token could mint new ones before it
expires and so never expire, and an unlocked browser left signed in could
hand one out. Listing and revoking need no more than any API call (revoking
a token that has leaked is what its holder should do at once)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from knox.models import AuthToken

from core.permissions import require

TOKENS_PER_PERSON = 10
# Session key: when the session signed in (a POSIX timestamp), set on user_logged_in.
SIGNED_IN_AT = "signed_in_at"


def tokens_of(user):
    return AuthToken.objects.filter(user=user).order_by("-created")


def remember_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver (contracts.apps): note in the new session when
    it signed in, for `signed_in_recently`."""
    request.session[SIGNED_IN_AT] = timezone.now().timestamp()


def signed_in_recently(session) -> bool:
    """Whether `session` signed in within the recent window (a session from
    before sign-in times were noted counts as not recent)."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is None:
        return False
    window = dt.timedelta(minutes=settings.API_TOKEN_RECENT_SIGN_IN_MINUTES)
    return timezone.now() - dt.datetime.fromtimestamp(signed_in_at, dt.UTC) <= window


def sign_in_again_message() -> str:
    minutes = settings.API_TOKEN_RECENT_SIGN_IN_MINUTES
    return (
        f"Sign in again to create an API token: creating one needs a sign-in within the "
        f"last {minutes} minute{'s' if minutes != 1 else ''}."
    )


def create_token_in_session(user, session) -> tuple[AuthToken, str]:
    """A new token for the person signed in to `session`, which must have
    signed in recently; `session` is None for a request authenticated with a
    token, which never creates another (PermissionDenied either way)."""
    require(
        session is not None,
        "An API token cannot create another: create tokens on your account page "
        "(/account/) or through the API signed in with your password.",
    )
    require(signed_in_recently(session), sign_in_again_message())
    return create_token(user)


def create_token(user) -> tuple[AuthToken, str]:
    """A new token for `user`: (the stored record, the token to show once).
    People's requests go through `create_token_in_session`; this is for code
    that runs without one (benchmarks, test fixtures)."""
    if tokens_of(user).count() >= TOKENS_PER_PERSON:
        raise ValidationError(
            f"You already have {TOKENS_PER_PERSON} API tokens: revoke one you no longer use."
        )
    return AuthToken.objects.create(user=user, expiry=settings.REST_KNOX["TOKEN_TTL"])


def revoke_token(user, token_key: str) -> bool:
    """Revoke one of `user`'s tokens by its first characters; False if none."""
    deleted, _ = tokens_of(user).filter(token_key=token_key).delete()
    return bool(deleted)


def revoke_all(user) -> int:
    deleted, _ = tokens_of(user).delete()
    return deleted
