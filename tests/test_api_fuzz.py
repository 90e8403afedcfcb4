"""Schemathesis over the whole OpenAPI schema, once per role of the two-school world: no answer is
a server error, and every answer's status, content type and body are what the schema says.

Selected with ``-m fuzz`` (CI runs it as its own section); the plain suite leaves it out. The
budget is fixed and derandomized (a few examples per operation, one seed), so a run is repeatable
and takes a few minutes on two cores. Every request goes through Django's WSGI handler in this
process, inside the test's transaction: writes are real but rolled back at the end. Nothing is
left out: write operations run too (a token deleted by DELETE /auth/token is that role's test's
own, made again for the next).

Hypothesis is driven here rather than by schemathesis's pytest plugin, whose lazy schema fixture
reads a pytest node attribute that pytest 9 no longer has; each operation's failures are collected
and all reported at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from parta.accounts.models import ApiToken, User, credential_hash
from parta.testing import factories as f
from parta.testing.factories import api_key
from parta.testing.world import World

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

ROLES = ["anonymous", "student", "parent", "teacher", "class_teacher", "admin", "methodologist"]
MAX_EXAMPLES = 6
SEED = 17

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
    }
)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def user_of(world: World, role: str) -> Any:
    return {
        "anonymous": None,
        "student": world.a.student,
        "parent": world.a.parent,
        "teacher": world.a.subject_teacher,
        "class_teacher": world.a.class_teacher,
        "admin": world.a.admin,
        "methodologist": world.methodologist,
    }[role]


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    # As Django's test client does: a request's end must not close the connection that holds the
    # test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class SignedIn:
    """A role's API token, issued again whenever an example signed it out."""

    user: User
    key: str = ""

    def header(self) -> dict[str, str]:
        if not self.key or not ApiToken.objects.filter(key_hash=credential_hash(self.key)).exists():
            self.key = api_key(self.user)
        return {"Authorization": f"Bearer {self.key}"}


@pytest.fixture
def token(world: World, role: str) -> SignedIn | None:
    user = user_of(world, role)
    return None if user is None else SignedIn(user)


def failures_of(operation: Any, strategy: Any, token: SignedIn | None) -> list[str]:
    """The distinct failures of one operation's examples (a failing example does not stop the
    others: the report lists every operation that fails)."""
    found: dict[str, str] = {}

    @seed(SEED)
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        # DELETE /api/v1/auth/token signs the role out: every example starts signed in again.
        headers = {} if token is None else token.header()
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (Exception, FailureGroup) as error:
            text = str(error).strip()
            found.setdefault(
                text.splitlines()[0] if text else type(error).__name__, f"{operation.label}: {text}"
            )

    run()
    return list(found.values())


def known_ids(world: World) -> dict[str, int]:
    """Ids of school A's things by path parameter: random ids are almost all a 404, and the answers
    to ids that exist must be what the schema says too."""
    lesson = world.a.lesson
    return {
        "school_id": world.a.school.pk,
        "class_group_id": world.a.group.pk,
        "student_id": world.a.student.pk,
        "person_id": world.a.student.pk,
        "assignment_id": world.a.assignment.pk,
        "lesson_id": lesson.pk,
        "homework_id": f.HomeworkFactory.create(lesson=lesson).pk,
        "mark_id": f.MarkFactory.create(lesson=lesson, student=world.a.student).pk,
    }


def test_the_api_answers_as_its_schema_says(
    world: World, in_process_requests: None, token: SignedIn | None
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), config=CONFIG)
    ids = known_ids(world)
    failures: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"The schema has an operation schemathesis cannot read: {result.err()}")
            continue
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += failures_of(operation, operation.as_strategy(generation_mode=mode), token)
        known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
        if known:
            failures += failures_of(operation, operation.as_strategy(path_parameters=known), token)
    assert not failures, "\n\n".join(failures)
