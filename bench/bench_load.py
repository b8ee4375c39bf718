"""Load benchmark: gunicorn on loopback driven by wrk, for BENCH_SECONDS
(default 60) per target: /healthz (the floor: one SELECT 1 through the same
middleware), a public scorecard page, the public scorecard API, the
commissioner dashboard signed in, and a 1,000-row CSV submitted through the
API with a network manager's token.

Runs `seed_demo` in a scratch database (`concord_bench_load`, created with
Django's test database machinery and dropped at the end), starts gunicorn
(2 workers x 4 threads, gthread) against it with the embedded defaults (no
REDIS_URL: local-memory cache, Celery tasks run eagerly in the web process;
DEBUG off; the API's throttle rates raised out of the way) and runs wrk
with 8 connections and 2 threads against each URL, after a short warm-up.
Any socket error or non-2xx/3xx response fails the run and prints the
server's log. Needs wrk (`apt-get install -y wrk`).
Reproduce with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench BENCH_ARGS=load
"""

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

COMMAND = "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench BENCH_ARGS=load"
SCRATCH_DB = "concord_bench_load"
WORKERS, THREADS = 2, 4
CONNECTIONS, WRK_THREADS = 8, 2
WARM_UP_SECONDS = 3
SUBMISSION_ROWS = 1000
BENCH_THROTTLE_RATE = "100000000/min"
BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent

# wrk prints durations with these units (src/units.c).
_TIME_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"


@dataclass
class WrkResult:
    requests: int
    requests_per_second: float
    median_ms: float
    p99_ms: float
    socket_errors: int
    non_2xx_3xx: int
    bytes_per_request: float

    @property
    def errors(self) -> int:
        return self.socket_errors + self.non_2xx_3xx


def _ms(number: str, unit: str) -> float:
    return float(number) * _TIME_UNITS[unit]


def _size(number: str, unit: str) -> float:
    return float(number) * {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}[unit]


def parse_wrk(output: str) -> WrkResult:
    """The figures of one `wrk --latency` run from its printed output."""

    def find(pattern: str) -> re.Match:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise ValueError(f"wrk output has no match for {pattern!r}:\n{output}")
        return match

    requests = find(r"^\s*(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB|TB) read")
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    count = int(requests.group(1))
    return WrkResult(
        requests=count,
        requests_per_second=float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        median_ms=_ms(*find(rf"^\s+50%\s+{_DURATION}").groups()),
        p99_ms=_ms(*find(rf"^\s+99%\s+{_DURATION}").groups()),
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        bytes_per_request=_size(*requests.groups()[1:]) / count if count else 0.0,
    )


def _wrk(url: str, seconds: int, options: list[str], script_args: list[str]) -> str:
    # The generous timeout makes a slow response count in the latency, not as an error.
    args = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s"]
    args += ["--latency", *options, url]
    if script_args:
        args += ["--", *script_args]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _scratch_database_url() -> str:
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(parts._replace(path=f"/{SCRATCH_DB}"))


def _start_gunicorn(port: int, log: Path, media: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PRODUCTION")}
    env.update(
        DATABASE_URL=_scratch_database_url(),
        DEBUG="false",
        MEDIA_ROOT=str(media),  # uploaded files kept out of the checkout
        LOG_LEVEL="WARNING",
        # What the server can answer, not the throttle: wrk sends thousands of
        # requests a minute from one address and one person.
        API_THROTTLE_ANON=BENCH_THROTTLE_RATE,
        API_THROTTLE_USER=BENCH_THROTTLE_RATE,
    )
    command = [
        *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)),
        *("--threads", str(THREADS), "-k", "gthread", "--timeout", "120"),
    ]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=out)


def _wait_until_up(server: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer within 90 s:\n{log.read_text()}")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _session_cookie(user) -> str:
    """A signed-in session of `user`, stored in the scratch database that
    the server reads: the value of the sessionid cookie."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def submission_csv(user, rows: int = SUBMISSION_ROWS) -> bytes:
    """`rows` valid CSV rows that `user` may submit: a backfill of the months
    before the demo data starts (so no period is locked by an accepted
    review) for each series (metric, organisation) in the user's scope,
    repeating each series' first figures."""
    from dateutil.relativedelta import relativedelta

    from contracts.access import data_scope
    from outcomes.models import Measurement

    first = {}
    measurements = (
        Measurement.objects.filter(is_current=True, organisation__in=data_scope(user))
        .select_related("metric", "organisation")
        .order_by("organisation__code", "metric__code", "period_start")
    )
    for m in measurements:
        first.setdefault((m.organisation.code, m.metric.code), m)
    if not first:
        raise RuntimeError(f"The demo has no measurements that {user} may submit.")
    lines = ["metric_code,organisation_code,period_start,numerator,denominator,value"]
    months_back = 0
    while len(lines) <= rows:
        months_back += 1
        for (organisation, metric), m in first.items():
            if len(lines) > rows:
                break
            period = m.period_start - relativedelta(months=months_back)
            numbers = f"{m.numerator},{m.denominator}," if m.metric.is_ratio else f",,{m.value}"
            lines.append(f"{metric},{organisation},{period},{numbers}")
    return ("\n".join(lines) + "\n").encode()


def _multipart(content: bytes, boundary: str) -> bytes:
    return (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="load.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


def _check_submission(url: str, body: bytes, boundary: str, token: str) -> dict:
    """POST the body once, as wrk will, and insist it is stored, not rejected."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Authorization": f"Token {token}",
            "Accept": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        data = json.load(response)
    if data["status"] != "stored" or data["row_count"] != SUBMISSION_ROWS:
        raise RuntimeError(f"The load test's submission was not stored: {data}")
    return data


def _targets(base: str, workdir: Path) -> list[tuple[str, str, list[str], list[str]]]:
    """(name, url, wrk options, wrk script arguments) for each target, floor first."""
    from django.contrib.auth import get_user_model

    from bench.bench_dashboard import largest_network_contract
    from contracts.api_tokens import create_token
    from reporting.models import PublishedScorecard

    contract, commissioner = largest_network_contract()
    scorecard = PublishedScorecard.objects.live().filter(contract=contract).first()
    scorecards = PublishedScorecard.objects.count()
    cookie = f"Cookie: sessionid={_session_cookie(commissioner)}"
    manager = get_user_model().objects.get(username="network_manager")
    _, token = create_token(manager)
    boundary = "concord-load-benchmark"
    body = _multipart(submission_csv(manager), boundary)
    (workdir / "submission.body").write_bytes(body)
    first = _check_submission(f"{base}/api/v1/submissions/", body, boundary, token)
    print(
        f"submission: {SUBMISSION_ROWS:,} rows ({len(body):,} bytes) as network_manager; "
        f"first POST stored: added {first['added']}, revised {first['revised']}, "
        f"unchanged {first['unchanged']}"
    )
    return [
        ("floor: /healthz (SELECT 1)", f"{base}/healthz", [], []),
        ("public scorecard page", f"{base}{scorecard.get_absolute_url()}", [], []),
        (f"scorecard API list ({scorecards} scorecards)", f"{base}/api/v1/scorecards/", [], []),
        (
            "commissioner dashboard (signed in)",
            f"{base}/dashboard/?contract={contract.pk}",
            ["-H", cookie],
            [],
        ),
        (
            f"submit {SUBMISSION_ROWS:,}-row CSV (API)",
            f"{base}/api/v1/submissions/",
            ["-s", str(BENCH_DIR / "submit.lua")],
            [str(workdir / "submission.body"), boundary, token],
        ),
    ]


def _check_submissions_stored() -> int:
    """A rejected submission is still a 202, so look at what became of each
    (after the ones wrk left in flight have finished); returns how many."""
    from outcomes.choices import Channel, SubmissionStatus
    from outcomes.models import Submission

    api = Submission.objects.filter(channel=Channel.API)
    deadline = time.monotonic() + 120
    while api.filter(finished_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(1)
    statuses = list(api.exclude(status=SubmissionStatus.STORED).values_list("status", flat=True))
    if statuses:
        raise RuntimeError(f"{len(statuses)} of {api.count()} submissions not stored: {statuses}")
    return api.count()


def _load() -> str:
    return "/".join(f"{n:.1f}" for n in os.getloadavg())


def _report(rows: list[tuple[str, WrkResult, str, str]]) -> None:
    floor = rows[0][1].requests_per_second
    print(
        f"\n{'target':<44} {'req/s':>8} {'floor/req/s':>11} {'median':>10} {'p99':>10} "
        f"{'errors':>6} {'KiB/resp':>9}  load avg before -> after"
    )
    for name, r, before, after in rows:
        print(
            f"{name:<44} {r.requests_per_second:>8.1f} {floor / r.requests_per_second:>11.1f} "
            f"{r.median_ms:>8.1f}ms {r.p99_ms:>8.1f}ms {r.errors:>6} "
            f"{r.bytes_per_request / 1024:>9.1f}  {before} -> {after}"
        )


def run():
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings, setup_databases, teardown_databases

    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk (Debian/Ubuntu), then run again.")
    seconds = int(os.environ.get("BENCH_SECONDS", 60))
    connection.settings_dict.setdefault("TEST", {})["NAME"] = SCRATCH_DB
    print(f"scratch database {SCRATCH_DB} (created now, dropped at the end)")
    print(f"load average (1/5/15 min) at start: {_load()}")
    created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    server = None
    workdir = Path(tempfile.mkdtemp(prefix="concord-load-"))
    log = workdir / "gunicorn.log"
    media = workdir / "media"  # the demo's and the benchmark's uploaded files
    try:
        start = time.perf_counter()
        with override_settings(MEDIA_ROOT=str(media)):
            call_command("seed_demo", stdout=io.StringIO())
        print(f"seed_demo: {time.perf_counter() - start:.0f} s")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = _start_gunicorn(port, log, media)
        _wait_until_up(server, base, log)
        print(
            f"gunicorn {WORKERS} workers x {THREADS} threads (gthread) on {base}; "
            f"wrk -t{WRK_THREADS} -c{CONNECTIONS} -d{seconds}s --latency per target"
        )
        rows = []
        for name, url, options, script_args in _targets(base, workdir):
            _wrk(url, WARM_UP_SECONDS, options, script_args)  # fill each worker's caches
            before = _load()
            result = parse_wrk(_wrk(url, seconds, options, script_args))
            rows.append((name, result, before, _load()))
        _report(rows)
        failed = [(name, r) for name, r, *_ in rows if r.errors]
        if failed:
            print(f"\nserver log ({log}):\n{log.read_text()[-20000:]}", file=sys.stderr)
            raise RuntimeError(f"Errors under load: {failed}")
        print(f"\nall {_check_submissions_stored()} submissions through the API were stored")
        print(f"load average at end: {_load()}")
        print(f"reproduce: {COMMAND}")
        return rows
    finally:
        if server is not None:
            _stop(server)
        teardown_databases(created, verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)
