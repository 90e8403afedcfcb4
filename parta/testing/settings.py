"""The test run's settings (pyproject.toml): production's, with DEBUG on as for the laptop demo,
so the demo key is accepted. pytest-django still runs each test with DEBUG off."""

import os

os.environ.setdefault("PARTA_DEBUG", "1")

from parta.settings import *  # noqa: F403
