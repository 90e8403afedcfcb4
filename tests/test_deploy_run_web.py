"""deploy/run web: the command line granian is started with, from the environment the units give
it (a stand-in granian prints its arguments; deploy/smoke.sh runs the real one in CI)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def started_with(tmp_path: Path, **env: str) -> list[str]:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    granian = venv / "bin" / "granian"
    granian.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n')
    granian.chmod(0o755)
    done = subprocess.run(  # noqa: S603 — our own script
        [str(ROOT / "deploy" / "run"), "web"],
        env={"PATH": os.environ["PATH"], "PARTA_VENV": str(venv), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_one_worker_a_core_with_four_threads_on_the_default_address(tmp_path: Path) -> None:
    args = started_with(tmp_path)
    assert args[:3] == ["--interface", "wsgi", "parta.wsgi:application"]
    assert (option(args, "--host"), option(args, "--port")) == ("127.0.0.1", "8000")
    assert option(args, "--workers") == str(len(os.sched_getaffinity(0)))
    assert option(args, "--blocking-threads") == "4"
    assert {"--no-ws", "--respawn-failed-workers", "--access-log"} <= set(args)
    assert option(args, "--access-log-fmt").endswith("id=%(header{x-request-id})s")


@pytest.mark.parametrize(
    ("bind", "host", "port"), [("10.0.0.5:9000", "10.0.0.5", "9000"), ("[::1]:8001", "::1", "8001")]
)
def test_the_address_and_the_size_come_from_the_environment(
    tmp_path: Path, bind: str, host: str, port: str
) -> None:
    args = started_with(tmp_path, PARTA_BIND=bind, PARTA_WEB_WORKERS="16", PARTA_WEB_THREADS="2")
    assert (option(args, "--host"), option(args, "--port")) == (host, port)
    assert (option(args, "--workers"), option(args, "--blocking-threads")) == ("16", "2")
