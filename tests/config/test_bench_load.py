"""The load benchmark's reading of wrk's output (no server, no network)."""

import pytest

from bench.bench_load import parse_wrk

# A real `wrk -t2 -c8 -d5s --latency` run against the demo dashboard (wrk pads
# durations in seconds with a space: kept as \x20).
CLEAN = """\
Running 5s test @ http://127.0.0.1:51709/dashboard/?contract=1
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.07s   462.38ms   2.88s    56.25%
    Req/Sec     7.30      8.55    28.00     90.00%
  Latency Distribution
     50%    2.12s\x20
     75%    2.64s\x20
     90%    2.82s\x20
     99%    2.88s\x20
  16 requests in 5.07s, 1.32MB read
Requests/sec:      3.16
Transfer/sec:    266.51KB
"""

# The same layout with the lines wrk adds when something went wrong.
WITH_ERRORS = """\
Running 5s test @ http://127.0.0.1:51709/healthz
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.52ms    1.20ms  30.10ms   80.00%
    Req/Sec   885.00    100.00     1.00k    70.00%
  Latency Distribution
     50%  850.00us
     75%    5.00ms
     90%    6.50ms
     99%   12.25ms
  8901 requests in 5.03s, 5.95MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   1770.59
Transfer/sec:      1.18MB
"""


def test_clean_run_is_read_with_its_units():
    result = parse_wrk(CLEAN)
    assert result.requests == 16
    assert result.requests_per_second == 3.16
    assert result.median_ms == pytest.approx(2120.0)
    assert result.p99_ms == pytest.approx(2880.0)
    assert result.errors == 0
    assert result.bytes_per_request == pytest.approx(1.32 * 2**20 / 16)


def test_socket_errors_and_bad_statuses_are_counted():
    result = parse_wrk(WITH_ERRORS)
    assert result.median_ms == pytest.approx(0.85)
    assert result.p99_ms == pytest.approx(12.25)
    assert (result.socket_errors, result.non_2xx_3xx, result.errors) == (5, 7, 12)
    assert result.requests_per_second == 1770.59


def test_output_without_figures_is_an_error_not_zeros():
    with pytest.raises(ValueError, match="Requests/sec|requests in"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")
