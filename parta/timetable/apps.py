from django.apps import AppConfig


class Config(AppConfig):
    name = "parta.timetable"
    label = "timetable"
