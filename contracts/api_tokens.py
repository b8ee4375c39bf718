"""API tokens for people who call /api/v1/ from scripts (django-rest-knox).

Only a SHA-512 digest of each token is stored: the token itself is shown
once, when it is created. Tokens expire (REST_KNOX TOKEN_TTL, 90 days by
default) and can be revoked one by one or all at once."""

from django.conf import settings
from django.core.exceptions import ValidationError
from knox.models import AuthToken

TOKENS_PER_PERSON = 10


def tokens_of(user):
    return AuthToken.objects.filter(user=user).order_by("-created")


def create_token(user) -> tuple[AuthToken, str]:
    """A new token for `user`: (the stored record, the token to show once)."""
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
