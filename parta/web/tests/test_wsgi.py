"""parta.wsgi, imported as gunicorn's master does before it forks: every view is loaded and the
garbage collector leaves what was imported alone."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import gc, sys
import parta.wsgi
assert gc.get_freeze_count() > 50_000, gc.get_freeze_count()
for module in ("parta.journal.api.journals", "parta.diary.api", "parta.celery"):
    assert module in sys.modules, module
print("ok")
"""


def test_wsgi_module_loads_every_view_and_freezes_them() -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "parta.settings",
            "PARTA_SECRET_KEY": "parta-wsgi-test-only-" + "x" * 40,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
    )
    assert result.stdout.strip() == "ok", result.stderr[-3000:]
