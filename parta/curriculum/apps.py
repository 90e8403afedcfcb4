from django.apps import AppConfig


class Config(AppConfig):
    name = "parta.curriculum"
    label = "curriculum"
