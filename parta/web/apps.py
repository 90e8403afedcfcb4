from django.apps import AppConfig


class Config(AppConfig):
    name = "parta.web"
    label = "web"
