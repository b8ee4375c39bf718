import pytest
from django.urls import reverse


@pytest.fixture
def login(client):
    def _login(username, password):
        return client.post(reverse("login"), {"username": username, "password": password})

    return _login


def test_sign_in_and_out(system, client, login):
    response = login("commissioner", "correct-horse-battery")
    assert response.status_code == 302
    assert response.url == reverse("home")
    home = client.get(reverse("home"))
    assert "Welcome" in home.content.decode()
    assert "Test ICB" in home.content.decode()
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    landing = client.get(reverse("home"))
    assert "Sign in to Concord" in landing.content.decode()


def test_wrong_password_shows_a_clear_message(system, login):
    response = login("commissioner", "wrong")
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Please enter a correct username and password" in content


def test_repeated_failures_are_throttled(system, login, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("commissioner", "wrong")
    response = login("commissioner", "correct-horse-battery")
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


@pytest.mark.parametrize(
    "person,expected",
    [
        ("commissioner", "For commissioners"),
        ("network_manager_a", "For network managers"),
        ("provider_a", "For providers"),
        ("lay_partner", "For lay partners"),
        ("admin", "Open administration"),
        ("outsider", "You do not belong to any organisation"),
    ],
)
def test_home_page_is_role_aware(system, client, person, expected):
    client.force_login(getattr(system, person))
    content = client.get(reverse("home")).content.decode()
    assert expected in content


def test_commissioner_home_lists_their_contracts_only(system, client):
    client.force_login(system.commissioner)
    response = client.get(reverse("home"))
    assert [c.reference for c in response.context["contracts"]] == ["CON-A"]


def test_lay_partner_home_has_no_contracts(system, client):
    client.force_login(system.lay_partner)
    response = client.get(reverse("home"))
    assert response.context["contracts"] == []


@pytest.mark.django_db
def test_public_pages_need_no_sign_in(client):
    landing = client.get("/")
    assert landing.status_code == 200
    assert "/scorecards/" in landing.content.decode()
    scorecards = client.get("/scorecards/")
    assert scorecards.status_code == 200
    assert "No scorecards have been published yet" in scorecards.content.decode()
