"""Shared fixtures: a small two-network system with a person in every role,
and the rule for tests that need real services (PostgreSQL, Redis, a Celery
worker, Chromium): they skip on a laptop without them, but fail when
REQUIRE_SERVICES=1, as in CI."""

import os
import shutil
import socket
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import expect

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Property tests run pandas on a 2-core machine shared with other work: no
# per-example deadline (a timing threshold), but a fixed number of examples.
hypothesis_settings.register_profile("concord", deadline=None, max_examples=100)
hypothesis_settings.load_profile("concord")

from contracts.choices import OrganisationKind, Role  # noqa: E402
from tests.factories import (  # noqa: E402
    ContractFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    add_member,
)

pytest_plugins = ["tests.contract_fixtures"]

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require(available: bool, reason: str) -> None:
    """Skip when a service is missing, or fail when REQUIRE_SERVICES=1."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


# What a test needs follows from the fixtures it uses, so a selection by marker
# (`make test-sqlite`: -m "database and not browser and not services") cannot
# miss a test whose author forgot to mark it. Every database fixture of
# pytest-django (db, transactional_db, django_user_model, ...) uses
# django_db_setup; live_server turns on transactional_db by itself.
DATABASE_FIXTURES = {"django_db_setup", "live_server"}
SERVICE_FIXTURES = {"postgres_url", "redis_available", "celery_worker_process"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or used & DATABASE_FIXTURES:
            item.add_marker(pytest.mark.database)
        if "page" in used:
            item.add_marker(pytest.mark.browser)
        if used & SERVICE_FIXTURES:
            item.add_marker(pytest.mark.services)


# Modules whose tests share an expensive module-scoped fixture run whole in one
# xdist process; split across processes, each would build it again (the demo
# that tests/reporting/test_seed_demo.py seeds is the longest setup of the suite). Every
# other test goes to whichever process is free. xdist's --dist loadgroup would
# do this by a marker, but under pytest 9.2 it silently stops grouping
# (pytest-xdist issue 1386).
ONE_PROCESS_MODULES = {"tests/reporting/test_seed_demo.py"}


@pytest.hookimpl(optionalhook=True)  # known only when xdist is loaded
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "load":  # another --dist asked for: xdist's own
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModulesInOneProcess(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_PROCESS_MODULES else nodeid

    return ModulesInOneProcess(config, log)


def port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL")


@pytest.fixture
def redis_available():
    url = redis_url()
    require(bool(url) and port_open(url, 6379), "REDIS_URL is not set or Redis is not reachable")
    return url


@pytest.fixture
def postgres_url():
    url = os.environ.get("DATABASE_URL", "")
    require(url.startswith("postgres"), "DATABASE_URL does not point at PostgreSQL")
    require(port_open(url, 5432), "PostgreSQL is not reachable")
    return url


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database of this run's own, so two runs on one PostgreSQL server
    (a developer's and CI's, or two checkouts) never drop each other's."""
    from django.db import connections

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"].endswith("postgresql"):  # SQLite tests run in memory
        test = settings_dict.setdefault("TEST", {})
        test["NAME"] = f"{test.get('NAME') or 'test_concord'}_{os.getpid()}"


@pytest.fixture(scope="session", autouse=True)
def _eager_celery():
    """Tasks run in-process in tests; the worker tests switch this off."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


# The API's throttle rates for tests: the permission matrix and the
# schemathesis run send thousands of requests a minute from one address and
# a handful of people. tests/config/test_throttling.py puts the stated rates
# (config/settings.py) back to prove they hold.
TEST_THROTTLE_RATES = {"anon": "1000000/min", "user": "1000000/min"}


@pytest.fixture(autouse=True)
def _test_settings(settings, media_root):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = media_root  # uploaded files never land in the work tree
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": TEST_THROTTLE_RATES,
    }


@pytest.fixture
def system(db):
    """Commissioner QCOM contracts with networks NETA (providers PA1, PA2) and
    NETB (provider PB1); one person per role plus an outsider with no role."""
    commissioner = OrganisationFactory(
        code="QCOM", name="Test ICB", kind=OrganisationKind.COMMISSIONER
    )
    other_commissioner = OrganisationFactory(
        code="QOTH", name="Other ICB", kind=OrganisationKind.COMMISSIONER
    )
    network_a = OrganisationFactory(code="NETA", name="Network A", kind=OrganisationKind.NETWORK)
    network_b = OrganisationFactory(code="NETB", name="Network B", kind=OrganisationKind.NETWORK)
    pa1 = OrganisationFactory(code="PA1", name="Provider A1")
    pa2 = OrganisationFactory(code="PA2", name="Provider A2")
    pb1 = OrganisationFactory(code="PB1", name="Provider B1")
    add_member(network_a, pa1)
    add_member(network_a, pa2)
    add_member(network_b, pb1)
    contract_a = ContractFactory(reference="CON-A", commissioner=commissioner, provider=network_a)
    contract_b = ContractFactory(
        reference="CON-B", commissioner=other_commissioner, provider=network_b
    )

    def person(username, organisation=None, role=None, **extra):
        user = UserFactory(username=username, **extra)
        if organisation:
            MembershipFactory(user=user, organisation=organisation, role=role)
        return user

    return SimpleNamespace(
        commissioner_org=commissioner,
        other_commissioner_org=other_commissioner,
        network_a=network_a,
        network_b=network_b,
        pa1=pa1,
        pa2=pa2,
        pb1=pb1,
        contract_a=contract_a,
        contract_b=contract_b,
        admin=person("admin", is_staff=True, is_superuser=True),
        commissioner=person("commissioner", commissioner, Role.COMMISSIONER),
        network_manager_a=person("nm_a", network_a, Role.NETWORK_MANAGER),
        provider_a=person("provider_a", pa1, Role.PROVIDER_USER),
        provider_b=person("provider_b", pb1, Role.PROVIDER_USER),
        lay_partner=person("lay", commissioner, Role.LAY_PARTNER),
        outsider=person("outsider"),
    )


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


# --- Browser tests: Playwright driving Debian's Chromium, never a download ---


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require(
        shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM),
        f"{CHROMIUM} is not installed",
    )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


# Playwright waits 5 s for an expect() and 30 s for an action or a page load;
# on a busy 2-core machine a page once took longer to show an element. Every
# wait gets this instead (tests pass no shorter timeout of their own): a slow
# machine makes a browser test slower, not red, and a page that never shows
# what the test waits for still fails, after a minute.
BROWSER_TIMEOUT_MS = 60_000
expect.set_options(timeout=BROWSER_TIMEOUT_MS)


@pytest.fixture
def context(new_context):
    """pytest-playwright's browser context, with the generous timeout for
    every action, wait and navigation of its pages."""
    context = new_context()
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    return context


# Requests the policy is meant to block: the API docs' ReDoc bundle always
# asks for its "API docs by Redocly" logo from Redocly's server; no page
# makes a third-party request, so it stays blocked (ReDoc hides the image).
BLOCKED_ON_PURPOSE = ("https://cdn.redoc.ly/",)


@pytest.fixture
def page(page, live_server):
    """A page that can reach only the live server: every other request is
    aborted. Any Content-Security-Policy violation the browser reports on any
    page fails the test."""
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            and not any(url in message.text for url in BLOCKED_ON_PURPOSE)
            else None
        ),
    )
    yield page
    assert violations == [], "the Content-Security-Policy blocked something"


@pytest.fixture
def sign_in(page, live_server):
    def _sign_in(username, password="correct-horse-battery"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        # Wait for the page the form leads to, so the next step does not
        # look at the sign-in page (or a half-loaded header) by mistake.
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()

    return _sign_in


# --- A real Celery worker against Redis ---


@pytest.fixture
def celery_worker_process(request, redis_available, tmp_path, settings):
    """Start `celery worker` in a subprocess on a queue of its own, pointed at
    the test database; yields the queue name. Tasks are sent with
    apply_async(queue=...) while eager mode is off. The pool is solo unless
    the test parametrizes this fixture indirectly with "prefork" (one child
    process, as production runs it); the worker's process and log are on
    `request.node.celery_worker` for tests that inject faults."""
    import subprocess
    import sys
    import time
    import uuid

    from django.db import connection

    from config.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    if db["ENGINE"].endswith("postgresql"):
        database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        database_url = f"sqlite:///{db['NAME']}"
    env = {
        **os.environ,
        "REDIS_URL": redis_available,
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # Tasks the worker enqueues itself (e.g. a rescore) stay on its queue.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    log = tmp_path / "worker.log"
    with open(log, "w") as log_file:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                f"--pool={getattr(request, 'param', 'solo')}",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "-l",
                "info",
            ],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 30
        while "ready" not in log.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Celery worker did not start:\n{log.read_text()}")
            time.sleep(0.2)
        request.node.celery_worker = SimpleNamespace(process=worker, log=log)
        yield queue
    finally:
        app.conf.task_always_eager = previous
        worker.terminate()
        worker.wait(10)
