"""The secret iCalendar feed address (mounted at /calendar/): /calendar/<calendar_token>.ics."""

from django.urls import URLPattern, URLResolver, re_path

from parta.timetable.ical import calendar_feed

urlpatterns: list[URLPattern | URLResolver] = [
    # Tokens are URL-safe base64 (secrets.token_urlsafe); anything else cannot be one and answers 404.
    re_path(r"^(?P<token>[A-Za-z0-9_-]{16,64})\.ics$", calendar_feed, name="calendar-feed"),
]
