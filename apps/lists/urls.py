from django.urls import path

from . import views

urlpatterns = [
    path("lists/", views.ListView.as_view(), name="lists"),
    path("lists/<int:entry_id>/", views.ListEntryView.as_view(), name="list-entry"),
]
