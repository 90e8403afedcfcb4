"""The library's HTTP API, one module per use-case, each with its own ``urlpatterns``."""
