from django.urls import path

from . import views

urlpatterns = [
    path("blocklist/", views.BlocklistView.as_view(), name="blocklist"),
]
