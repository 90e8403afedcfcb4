"""The library's pages, one module per use-case, each with its own ``urlpatterns``."""
