from django.apps import AppConfig


class Config(AppConfig):
    name = "parta.accounts"
    label = "accounts"
