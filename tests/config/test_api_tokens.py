"""API tokens: created on the account page or through the API (shown once,
stored as a digest) in a session signed in within the recent window, never
with a token; used in the Authorization header, listed, expiring, and
revoked one by one or all at once; one person never sees another's."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from playwright.sync_api import expect

from contracts import api_tokens
from tests.browser.test_browser import serious_violations

TOKENS = reverse("api:my-tokens")


def as_token(client, token):
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_made_through_the_api_signs_in_until_revoked(api_client, system):
    api_client.force_login(system.provider_a)  # a session just signed in
    made = api_client.post(TOKENS)
    assert made.status_code == 201
    token, key = made.data["token"], made.data["token_key"]
    assert token.startswith(key) and made.data["expiry"]
    assert not AuthToken.objects.filter(digest__contains=token).exists()  # a digest only
    api_client.logout()
    me = as_token(api_client, token).get(reverse("api:me"))
    assert me.status_code == 200 and me.data["username"] == "provider_a"
    assert [row["token_key"] for row in api_client.get(TOKENS).data] == [key]
    assert "token" not in api_client.get(TOKENS).data[0]  # never shown again
    # A token may revoke itself (what to do at once with one that leaked).
    assert api_client.delete(reverse("api:my-token", args=[key])).status_code == 204
    assert api_client.get(reverse("api:me")).status_code == 401


def test_a_token_cannot_create_another(api_client, system):
    _, token = api_tokens.create_token(system.provider_a)
    refused = as_token(api_client, token).post(TOKENS)
    assert refused.status_code == 403
    assert "An API token cannot create another" in refused.json()["detail"]
    assert AuthToken.objects.filter(user=system.provider_a).count() == 1
    assert api_client.get(TOKENS).status_code == 200  # listing is fine


def signed_in_minutes_ago(client, minutes):
    session = client.session
    session[api_tokens.SIGNED_IN_AT] -= minutes * 60
    session.save()


def sign_in_with_password(client, username, next_url):
    response = client.post(
        reverse("login"),
        {"username": username, "password": "correct-horse-battery", "next": next_url},
    )
    assert response.status_code == 302 and response.url == next_url


def test_a_session_signed_in_long_ago_must_sign_in_again(api_client, system, settings):
    api_client.force_login(system.provider_a)
    signed_in_minutes_ago(api_client, 16)
    refused = api_client.post(TOKENS)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Sign in again to create an API token: creating one needs a sign-in within the "
        "last 15 minutes."
    )
    assert not AuthToken.objects.exists()
    settings.API_TOKEN_RECENT_SIGN_IN_MINUTES = 30  # the window is configurable
    assert api_client.post(TOKENS).status_code == 201
    settings.API_TOKEN_RECENT_SIGN_IN_MINUTES = 15
    sign_in_with_password(api_client, "provider_a", "/account/")
    assert api_client.post(TOKENS).status_code == 201
    assert AuthToken.objects.filter(user=system.provider_a).count() == 2


def test_a_session_from_before_sign_in_times_were_kept_must_sign_in_again(api_client, system):
    api_client.force_login(system.provider_a)
    session = api_client.session
    del session[api_tokens.SIGNED_IN_AT]
    session.save()
    assert api_client.post(TOKENS).status_code == 403
    assert not AuthToken.objects.exists()


def test_an_expired_token_no_longer_works(api_client, system):
    record, token = api_tokens.create_token(system.provider_a)
    AuthToken.objects.filter(pk=record.pk).update(expiry=timezone.now() - dt.timedelta(1))
    assert as_token(api_client, token).get(reverse("api:me")).status_code == 401


def test_someone_elses_token_cannot_be_revoked(api_client, system):
    record, _ = api_tokens.create_token(system.provider_a)
    api_client.force_authenticate(system.provider_b)
    response = api_client.delete(reverse("api:my-token", args=[record.token_key]))
    assert response.status_code == 404
    assert api_client.get(TOKENS).data == []
    assert AuthToken.objects.filter(pk=record.pk).exists()


def test_at_most_ten_tokens_each(api_client, system):
    for _ in range(api_tokens.TOKENS_PER_PERSON):
        api_tokens.create_token(system.provider_a)
    api_client.force_login(system.provider_a)
    response = api_client.post(TOKENS)
    assert response.status_code == 400
    assert "revoke one" in response.data["non_field_errors"][0]


def test_anonymous_gets_no_tokens(api_client, system):
    assert api_client.post(TOKENS).status_code in (401, 403)


def test_the_account_page_shows_a_new_token_once_and_revokes_all(client, system):
    client.force_login(system.network_manager_a)
    page = client.get(reverse("contracts:account")).content.decode()
    assert "Network manager at Network A (NETA)" in page and "You have no API tokens." in page
    made = client.post(reverse("contracts:account"), {"action": "create"})
    token = made.context["new_token"]
    assert token in made.content.decode()
    listed = client.get(reverse("contracts:account")).content.decode()
    assert token not in listed and token[:8] in listed
    client.post(reverse("contracts:account"), {"action": "create"})
    client.post(reverse("contracts:account"), {"action": "revoke_all"})
    assert not AuthToken.objects.filter(user=system.network_manager_a).exists()


def test_the_account_page_asks_to_sign_in_again_before_making_a_token(client, system):
    url = reverse("contracts:account")
    client.force_login(system.network_manager_a)
    signed_in_minutes_ago(client, 16)
    page = client.get(url).content.decode()
    assert "Create an API token" not in page
    assert f'href="{reverse("login")}?next=/account/"' in page
    assert "Sign in again to create a token" in page
    refused = client.post(url, {"action": "create"}, follow=True)
    assert "Sign in again to create an API token" in refused.content.decode()
    assert not AuthToken.objects.exists()
    sign_in_with_password(client, "nm_a", url)
    assert "Create an API token" in client.get(url).content.decode()
    made = client.post(url, {"action": "create"})
    assert made.context["new_token"] and AuthToken.objects.count() == 1


@pytest.mark.browser
def test_a_person_makes_and_revokes_a_token_in_the_browser(system, page, live_server, sign_in):
    sign_in("provider_a")
    page.get_by_role("link", name=re.compile("your account")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    page.get_by_role("button", name="Create an API token").click()
    expect(page.get_by_role("heading", name="Your new API token")).to_be_visible()
    assert serious_violations(page) == []
    key = AuthToken.objects.get(user=system.provider_a).token_key
    page.get_by_role("link", name=re.compile("your account")).click()
    page.get_by_role("button", name=f"Revoke token {key}").click()
    expect(page.get_by_text(f"Token {key}… revoked")).to_be_visible()
    assert not AuthToken.objects.filter(user=system.provider_a).exists()
