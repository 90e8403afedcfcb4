"""The benchmark's modules (bench/, a folder of scripts, not a package) loaded for its tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def load(name: str) -> ModuleType:
    """``bench/<name>.py`` as a module; its own imports of its neighbours (``import report``) work."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        # A dataclass looks its module up in sys.modules.
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "bench"))


def markdown(report: ModuleType, runs: list[dict[str, Any]], config: dict[str, Any]) -> str:
    """The report's markdown of these runs on a made-up two-core machine."""
    text: str = report.markdown(
        {
            "date": "d",
            "machine": {"cpu_count": 2, "cpu_model": "x", "ram_gib": 1},
            "config": config,
            "runs": runs,
        }
    )
    return text
