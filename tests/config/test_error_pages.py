"""Error pages are NHS.UK pages that say what happened and offer a way on;
the API keeps answering in JSON."""

from django.urls import reverse


def test_a_missing_page_says_so_in_the_site_layout(client, system):
    client.force_login(system.provider_a)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html and 'class="nhsuk-header' in html
    assert f'href="{reverse("home")}"' in html


def test_a_refused_page_explains_and_offers_a_way_on(client, system):
    client.force_login(system.lay_partner)
    response = client.get(reverse("reporting:dashboard"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>You cannot open this page</h1>" in html
    assert "Your role does not give access to this page." in html
    assert f'href="{reverse("reporting:scorecard-list")}"' in html


def test_the_api_still_answers_in_json(api_client, system):
    api_client.force_authenticate(system.provider_a)
    response = api_client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_the_server_error_page_stands_alone(client, settings):
    """500.html renders without a request or the database."""
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, there is a problem with Concord" in html and 'href="/"' in html
