from django.apps import AppConfig


class Config(AppConfig):
    name = "parta.demo"
    label = "demo"
