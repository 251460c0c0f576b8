from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core import views as core_views
from apps.disputes.dashboard import dashboard

api_v1 = [
    path("", include("apps.devices.urls")),
    path("", include("apps.reports.urls")),
    path("", include("apps.lists.urls")),
    path("", include("apps.reputation.urls")),
    path("", include("apps.blocklist.urls")),
    path("", include("apps.disputes.urls")),
    path("ping/", core_views.PingView.as_view(), name="ping"),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/dashboard/", dashboard, name="admin-dashboard"),
    path("admin/", admin.site.urls),
    path("", include("apps.core.urls")),
]

handler400 = "apps.core.errors.bad_request"
handler403 = "apps.core.errors.permission_denied"
handler404 = "apps.core.errors.not_found"
handler500 = "apps.core.errors.server_error"
