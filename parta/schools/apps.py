from django.apps import AppConfig


class Config(AppConfig):
    name = "parta.schools"
    label = "schools"
