import pytest


@pytest.mark.django_db
def test_openapi_schema_is_served_and_lists_the_resources(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/organisations/", "/api/v1/contracts/", "/api/v1/me/"):
        assert path in schema["paths"]
    assert {"knoxApiToken", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.django_db
def test_api_docs_load_their_assets_from_this_server(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/" in content
    assert "cdn" not in content.lower()


@pytest.mark.django_db
def test_plotly_and_nhsuk_assets_are_served_from_this_server(client):
    for path in (
        "/static/plotly/plotly.min.js",
        "/static/nhsuk/concord.min.css",
        "/static/nhsuk/nhsuk-frontend.min.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)  # whitenoise streams; close it cleanly
