"""The test run's settings (pyproject.toml): production's, with DEBUG on as for the laptop demo,
so the demo key is accepted. pytest-django still runs each test with DEBUG off."""

import os

os.environ.setdefault("PARTA_DEBUG", "1")

# pytest-xdist's workers (`make test` runs two or more) each have a test database of their own, and
# the ids in them collide: each gets a Redis database of its own too, or one would read another's
# cached diary. gw0 keeps the database REDIS_URL names; gwN takes the next ones.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{_base}/{int(_db or 0) + int(_worker[2:])}"

from parta.settings import *  # noqa: E402, F403 — after the environment above is set
