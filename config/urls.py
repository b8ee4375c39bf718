from csp.constants import SELF
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from config.health import healthz
from reporting.views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("", include("contracts.urls")),
    path("", include("outcomes.urls")),
    path("", include("reporting.urls")),
    path("dialogues/", include("dialogues.urls")),
    path("incentives/", include("incentives.urls")),
    path("assurance/", include("assurance.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # ReDoc, not Swagger UI: Swagger UI fails axe (contrast, nested controls).
    # ReDoc builds its search index in a worker it starts from a blob: URL.
    path(
        "api/docs/",
        csp_update({"worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

# Under /api/, a URL that matches no endpoint is a JSON 404 and a server error
# a JSON 500, like every API answer.
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
