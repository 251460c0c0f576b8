from django.apps import AppConfig


class FtcConfig(AppConfig):
    name = "apps.ftc"
    label = "ftc"
