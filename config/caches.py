"""Django's cache on Redis, through django-redis so that a Redis outage is a
cache miss rather than an error: pages (dashboards, published scorecards)
and API throttling keep working while Redis is down, only slower. Short
socket timeouts keep an unreachable server from holding up a request."""


def redis_cache(location: str) -> dict:
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
