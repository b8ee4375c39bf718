from contextlib import contextmanager

import pytest

from config.celery import app


@contextmanager
def celery_conf(**changes):
    previous = {key: app.conf[key] for key in changes}
    app.conf.update(changes)
    try:
        yield
    finally:
        app.conf.update(previous)


@pytest.mark.django_db
def test_healthz_reports_database_and_eager_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker(client):
    with celery_conf(task_always_eager=False, broker_url="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


@pytest.mark.django_db
def test_healthz_reports_a_reachable_redis_broker(client, redis_available):
    with celery_conf(task_always_eager=False, broker_url=redis_available):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_healthz_reports_an_unreachable_database(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: ConnectionError"


@pytest.mark.django_db(transaction=True)
def test_the_app_recovers_when_postgresql_drops_its_connections(postgres_url):
    """As after a PostgreSQL restart: the app's persistent connection is
    terminated by the server between two requests. Health-checked connections
    (CONN_HEALTH_CHECKS) mean the next request reconnects rather than failing
    on the dead one. Requests go through Django's WSGI handler itself (the
    test client turns off the per-request connection check)."""
    import io

    import psycopg2
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    handler = WSGIHandler()

    def fetch() -> str:
        statuses = []
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/healthz",  # reports 503 if its query fails
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": io.StringIO(),
        }
        response = handler(environ, lambda status, headers: statuses.append(status))
        b"".join(response)
        response.close()
        return statuses[0]

    assert fetch() == "200 OK"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        app_pid = cursor.fetchone()[0]
    admin = psycopg2.connect(**connection.get_connection_params())
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [app_pid])
            assert cursor.fetchone()[0] is True
    finally:
        admin.close()
    assert fetch() == "200 OK"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != app_pid  # a new connection
