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


def test_a_server_error_in_the_api_is_json(client, system, monkeypatch):
    """An unexpected error under /api/ answers JSON like every API answer,
    not the NHS.UK error page; elsewhere the page."""
    from reporting import audit_trail

    def broken(*args, **kwargs):
        raise RuntimeError("an unexpected fault")

    monkeypatch.setattr(audit_trail, "read_page", broken)
    client.raise_request_exception = False
    client.force_login(system.commissioner)
    response = client.get("/api/v1/audit/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error."}
    page = client.get(reverse("reporting:audit-trail"))
    assert page.status_code == 500
    assert "Sorry, there is a problem with Concord" in page.content.decode()
