from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "apps.lists"
    label = "lists"
