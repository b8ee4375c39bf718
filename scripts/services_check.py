"""Tell which services Concord can reach: `make services-check`."""

import os
import shutil
import sys

import psycopg2
import redis


def check(name, probe):
    try:
        detail = probe()
        print(f"  ok       {name}: {detail}")
        return True
    except Exception as exc:  # report every failure, whatever it is
        print(f"  missing  {name}: {exc.__class__.__name__}: {str(exc).strip().splitlines()[0]}")
        return False


def postgres():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise RuntimeError("DATABASE_URL is not set to a postgres:// URL (SQLite will be used)")
    with psycopg2.connect(url, connect_timeout=3) as conn, conn.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]} at {url}"


def redis_server():
    url = os.environ.get("REDIS_URL")
    if not url:
        raise RuntimeError("REDIS_URL is not set (Celery tasks will run eagerly)")
    info = redis.Redis.from_url(url, socket_connect_timeout=3).info("server")
    return f"Redis {info['redis_version']} at {url}"


def chromium():
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not shutil.which(path):
        raise RuntimeError(f"{path} not found (apt-get install -y chromium)")
    return path


if __name__ == "__main__":
    print("Services Concord can use:")
    results = [
        check("PostgreSQL", postgres),
        check("Redis", redis_server),
        check("Chromium", chromium),
    ]
    sys.exit(0 if all(results) else 1)
