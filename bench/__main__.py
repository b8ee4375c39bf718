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
    modules = sorted(
        name
        for _, name, _ in pkgutil.iter_modules([os.path.dirname(__file__)])
        if name.startswith("bench_")
    )
    if args.names:
        modules = [m for m in modules if m.removeprefix("bench_") in args.names]
    if not modules:
        print("No benchmarks are registered yet.")
        return 0
    for name in modules:
        print(f"== {name.removeprefix('bench_')} ==")
        importlib.import_module(f"bench.{name}").run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
