from django.urls import path

from . import views

urlpatterns = [
    path("disputes/", views.DisputeCreateView.as_view(), name="dispute-create"),
    path(
        "disputes/status/<str:secret>/",
        views.DisputeStatusView.as_view(),
        name="dispute-status",
    ),
]
