"""A real worker, started by the suite, executes a task through Redis."""

from config.celery import app, ping


def test_real_worker_executes_a_task_through_redis(celery_worker_process):
    assert app.conf.broker_url.startswith("redis://")
    result = ping.apply_async(queue=celery_worker_process)
    assert result.get(timeout=30) == "pong"
    assert result.status == "SUCCESS"
