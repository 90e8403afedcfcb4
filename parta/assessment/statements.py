"""An attempt's events as xAPI statements (xAPI 1.0.3: actor, verb, object, result, context,
timestamp), written from the rows of ``Statement``.

The actor is an account on the installation (``homePage`` the site's address, ``name`` the
user's id: no names or e-mail addresses leave in a statement); the object is the test, or a
question of it, as an activity whose id is an address on the installation; the attempt is the
statement's ``context.registration``. Verbs are ADL's where ADL has one.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from parta.assessment.models import Attempt, Statement, Verb

VERB_IRIS = {
    Verb.ATTEMPTED: "http://adlnet.gov/expapi/verbs/attempted",
    Verb.RESUMED: "http://adlnet.gov/expapi/verbs/resumed",
    Verb.VIEWED: "http://id.tincanapi.com/verb/viewed",
    Verb.ANSWERED: "http://adlnet.gov/expapi/verbs/answered",
    Verb.COMPLETED: "http://adlnet.gov/expapi/verbs/completed",
    Verb.SCORED: "http://adlnet.gov/expapi/verbs/scored",
}
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
QUESTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
EXTENSION = "{base}/xapi/extensions/{name}"


def registration(attempt: Attempt) -> str:
    """The attempt's UUID for ``context.registration``: derived from its id, so it is stable."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"parta:attempt:{attempt.pk}"))


def _duration(seconds: float) -> str:
    """ISO 8601 duration, as xAPI writes it (``PT1M5.5S``)."""
    minutes, rest = divmod(round(seconds, 2), 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"PT{hours}H{minutes}M{rest:g}S"


def _time(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def as_xapi(
    row: Statement, attempt: Attempt, base: str, spent: dict[uuid.UUID, float] | None = None
) -> dict[str, Any]:
    """One statement; ``base`` is the installation's address (``https://school.example``);
    ``spent`` the seconds on a question a ``viewed`` statement began (``time_on_questions``)."""
    test_id = f"{base}/library/{attempt.material_id}/"
    object_id = f"{test_id}#{row.question_id}" if row.question_id else test_id
    result: dict[str, Any] = {}
    found = row.result
    if "score" in found:
        score: dict[str, Any] = {"raw": float(found["score"])}
        if row.verb == Verb.COMPLETED and attempt.max_points:
            score.update(
                min=0, max=attempt.max_points, scaled=round(float(found["score"]) / attempt.max_points, 4)
            )
        result["score"] = score
    if "success" in found:
        result["success"] = found["success"]
    if found.get("completion"):
        result["completion"] = True
    if "response" in found:
        result["response"] = _response_text(found["response"])
    if "duration" in found:
        result["duration"] = _duration(found["duration"])
    elif spent and row.id in spent:
        result["duration"] = _duration(spent[row.id])
    extensions = {
        EXTENSION.format(base=base, name=name): found[name]
        for name in ("revision", "waiting")
        if name in found
    }
    if extensions:
        result["extensions"] = extensions
    statement: dict[str, Any] = {
        "id": str(row.id),
        "actor": {"objectType": "Agent", "account": {"homePage": base, "name": str(row.actor_id)}},
        "verb": {"id": VERB_IRIS[Verb(row.verb)], "display": {"en-US": row.verb}},
        "object": {
            "objectType": "Activity",
            "id": object_id,
            "definition": {"type": QUESTION if row.question_id else ASSESSMENT},
        },
        "context": {
            "registration": registration(attempt),
            "contextActivities": {"parent": [{"id": test_id}]} if row.question_id else {},
        },
        "timestamp": _time(row.timestamp),
        "stored": _time(row.stored),
    }
    if result:
        statement["result"] = result
    return statement


def _response_text(response: Any) -> str:
    """xAPI's ``result.response`` is a string: the response's JSON, compact."""
    return json.dumps(response, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def time_on_questions(rows: list[Statement], ended: dt.datetime | None) -> dict[uuid.UUID, float]:
    """Seconds from each ``viewed`` statement to the next question shown (or the attempt's end):
    the time the student spent on that question, measured by the server's clock."""
    views = [row for row in rows if row.verb == Verb.VIEWED]
    spent: dict[uuid.UUID, float] = {}
    # An attempt made without a page (through the API alone) may have no question shown.
    following_views: list[Statement | None] = [*views[1:], None] if views else []
    for current, following in zip(views, following_views, strict=True):
        until = following.timestamp if following is not None else ended
        if until is not None:
            spent[current.id] = max((until - current.timestamp).total_seconds(), 0.0)
    return spent
