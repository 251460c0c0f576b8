from django.urls import path

from . import views

urlpatterns = [
    path("lookup/", views.LookupView.as_view(), name="lookup"),
    path("lookup/batch/", views.LookupBatchView.as_view(), name="lookup-batch"),
]
