from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "talat.core"
    label = "core"
