from django.apps import AppConfig


class BlocklistConfig(AppConfig):
    name = "apps.blocklist"
    label = "blocklist"
