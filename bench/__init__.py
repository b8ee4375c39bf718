"""Benchmarks: `make bench` runs every bench/bench_*.py module's `run()`.

Each benchmark prints its figures with the command that reproduces them.
They run on PostgreSQL (DATABASE_URL) with realistic volumes; they are never
part of the test suite and assert no timings.
"""
