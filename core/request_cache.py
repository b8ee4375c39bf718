"""Values worked out once per request.

`RequestCacheMiddleware` opens an empty cache for each request and drops it
when the response is ready; `per_request` keeps a value in it. Outside a
request (Celery tasks, management commands, the shell) there is no cache and
`per_request` answers None, so callers fall back to working the value out
each time: nothing cached can outlive the request that worked it out.
"""

from contextvars import ContextVar

_cache: ContextVar[dict | None] = ContextVar("concord_request_cache", default=None)


def per_request(key, compute):
    """compute(), kept under `key` for the rest of the request; None when
    there is no request."""
    cache = _cache.get()
    if cache is None:
        return None
    if key not in cache:
        cache[key] = compute()
    return cache[key]


class RequestCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)
