from django.urls import path

from . import views

urlpatterns = [
    path("devices/", views.DeviceRegisterView.as_view(), name="device-register"),
    path("devices/me/", views.DeviceMeView.as_view(), name="device-me"),
]
