from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "talat.web"
    label = "web"
