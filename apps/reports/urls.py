from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.ReportListCreateView.as_view(), name="report-list"),
    path(
        "reports/<int:report_id>/",
        views.ReportDetailView.as_view(),
        name="report-detail",
    ),
]
