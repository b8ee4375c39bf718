"""The embedded default under concurrent requests, as `make demo` serves it:
`manage.py runserver` (a thread per request) on a file SQLite database, with
Celery tasks run in the request. Writes that arrive together all succeed (or
get the 4xx one after another would): none is a 500 saying "database is
locked", which each became with SQLite's defaults (a write transaction that
began by reading could not take the lock another held, and gave up at once).

The server runs in a process of its own on a database of its own
(tests/sqlite_site.py), whatever database the rest of the suite uses."""

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.paths import ROOT

TOGETHER = 6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def demo_server(tmp_path):
    """(base URL, the site's contract and tokens) of a runserver on a fresh
    SQLite file, with the environment `make demo` gives it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'concord.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        DEBUG="true",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    built = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_site"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    site = json.loads(built.stdout.splitlines()[-1])
    port = free_port()
    log = tmp_path / "server.log"
    with open(log, "w") as output:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"runserver did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield base, site
    finally:
        server.terminate()
        server.wait(10)


def send_together(requests_to_send: list[tuple[str, str, dict]]) -> list:
    """POST each (token, url, body) from its own thread, released at the same
    instant; the answers in order."""
    start = threading.Barrier(len(requests_to_send))
    answers = [None] * len(requests_to_send)

    def run(index, token, url, body):
        start.wait()
        answers[index] = requests.post(
            url, json=body, headers={"Authorization": f"Token {token}"}, timeout=120
        )

    threads = [
        threading.Thread(target=run, args=(index, *request))
        for index, request in enumerate(requests_to_send)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    return answers


def test_concurrent_writes_on_the_embedded_default_all_succeed(demo_server):
    base, site = demo_server
    commissioner, manager = site["tokens"]["commissioner"], site["tokens"]["nm_a"]
    costs = f"{base}/api/v1/actual-costs/"
    same_month = [
        (commissioner, costs, {"contract": site["contract"], "month": "2024-04-01", "amount": n})
        for n in range(950_000, 950_000 + TOGETHER)
    ]
    other_months = [
        (
            commissioner,
            costs,
            {"contract": site["contract"], "month": f"2024-{m:02}-01", "amount": 1},
        )
        for m in range(5, 5 + TOGETHER)
    ]
    submissions = [
        (
            manager,
            f"{base}/api/v1/submissions/",
            {
                "rows": [
                    {
                        "metric_code": "EMADM",
                        "organisation_code": "PA1",
                        "period_start": f"2024-{m:02}-01",
                        "numerator": 25,
                        "denominator": 1000,
                    }
                ]
            },
        )
        for m in range(4, 4 + TOGETHER)
    ]
    answers = send_together(same_month + other_months + submissions)

    texts = [f"{a.status_code} {a.text[:200]}" for a in answers]
    assert all(answer.status_code < 500 for answer in answers), texts
    same, other, submitted = (
        answers[:TOGETHER],
        answers[TOGETHER : 2 * TOGETHER],
        answers[2 * TOGETHER :],
    )
    # One records the month, the others correct it, as one after another.
    assert sorted(a.status_code for a in same) == [200] * (TOGETHER - 1) + [201], texts
    assert [a.status_code for a in other] == [201] * TOGETHER, texts
    # Each submission is stored, and says where to find it: a plain string
    # header that runserver's WSGI server accepts (DRF's Hyperlink was a 500).
    assert [a.status_code for a in submitted] == [202] * TOGETHER, texts
    assert [a.json()["status"] for a in submitted] == ["stored"] * TOGETHER, texts
    assert all(a.headers["Location"] == a.json()["url"] for a in submitted)

    listed = requests.get(
        costs, headers={"Authorization": f"Token {commissioner}"}, timeout=30
    ).json()["results"]
    assert len(listed) == 1 + TOGETHER
