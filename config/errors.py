"""Error pages: under /api/ a URL that matches no endpoint is a JSON 404, and
a server error a JSON 500, as every API answer is JSON; elsewhere Django's
pages (templates/404.html, 500.html)."""

from django.http import JsonResponse
from django.views import defaults


def not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
