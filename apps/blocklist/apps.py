from django.apps import AppConfig


class BlocklistConfig(AppConfig):
    name = "apps.blocklist"
    label = "blocklist"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
