"""Error pages: under /api/ a URL that matches no endpoint is a JSON 404, as
every API error is; elsewhere Django's page."""

from django.http import JsonResponse
from django.views import defaults


def not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
