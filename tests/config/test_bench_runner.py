"""`make bench` chooses its benchmarks: all but the long national run, or
those named; a name that is not a benchmark is an error naming the others."""

import pytest

from bench.__main__ import chosen


def test_a_bare_run_leaves_out_the_national_benchmark(capsys):
    modules = chosen([])
    assert "bench_national" not in modules
    assert {"bench_import", "bench_rescore", "bench_dashboard", "bench_audit"} <= set(modules)
    assert "BENCH_ARGS=national" in capsys.readouterr().out


def test_named_benchmarks_run_alone():
    assert chosen(["national"]) == ["bench_national"]
    assert chosen(["dashboard", "audit"]) == ["bench_audit", "bench_dashboard"]


def test_an_unknown_name_is_refused_with_the_list():
    with pytest.raises(ValueError, match="No benchmark named dashbord; there are .*dashboard"):
        chosen(["dashbord"])
