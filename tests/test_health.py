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
