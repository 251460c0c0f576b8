"""The staff dashboard at /admin/dashboard/: the state of things at a glance."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .charts import bar_chart
from .selectors import dashboard_summary


@never_cache
@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    summary = dashboard_summary(now=timezone.now())
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "summary": summary,
        "chart": bar_chart(summary.days),
    }
    return TemplateResponse(request, "admin/dashboard.html", context)
