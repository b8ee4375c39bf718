import argparse
import importlib
import os
import pkgutil
import sys

import django


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Concord's benchmarks.")
    parser.add_argument(
        "names", nargs="*", help="only these benchmarks (module names without bench_)"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Benchmarks run on PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    django.setup()
    try:
        modules = chosen(args.names)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    for name in modules:
        print(f"== {name.removeprefix('bench_')} ==")
        importlib.import_module(f"bench.{name}").run()
    return 0


def chosen(names: list[str]) -> list[str]:
    """The benchmark modules to run: those named, or without names all but
    the long runs (a national-size database) that say RUN_BY_NAME_ONLY."""
    available = sorted(
        name.removeprefix("bench_")
        for _, name, _ in pkgutil.iter_modules([os.path.dirname(__file__)])
        if name.startswith("bench_")
    )
    unknown = sorted(set(names) - set(available))
    if unknown:
        raise ValueError(
            f"No benchmark named {', '.join(unknown)}; there are {', '.join(available)}."
        )
    if names:
        return [f"bench_{name}" for name in available if name in names]
    modules = []
    for name in available:
        if getattr(importlib.import_module(f"bench.bench_{name}"), "RUN_BY_NAME_ONLY", False):
            print(f"(skipping {name}: it runs for long; give BENCH_ARGS={name} to run it)")
        else:
            modules.append(f"bench_{name}")
    return modules


if __name__ == "__main__":
    sys.exit(main())
