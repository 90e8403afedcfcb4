"""Fixtures of the messaging tests: uploads in a temporary folder, and a conversation to start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from parta.messaging import services
from parta.messaging.models import Conversation


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def start(world) -> Callable[..., Conversation]:
    """Starts a conversation: school A's parent writes to the child's subject teacher about the
    child. Keyword arguments replace those of ``services.conversation_start``."""

    def start(**kwargs: Any) -> Conversation:
        a = world.a
        args = {
            "recipient_id": a.subject_teacher.pk,
            "student_id": a.student.pk,
            "topic": "Контрольная",
            "body": "Привет",
        }
        return services.conversation_start(a.parent, **(args | kwargs))

    return start
