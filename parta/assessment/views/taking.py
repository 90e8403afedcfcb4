"""Taking a test: its start page, the attempt (answered question by question, every question on
one page), its submission and, in training mode, the feedback under an answer.

Thin: the objects come through ``parta.assessment.access`` (404 for anything not the user's),
what is shown through ``selectors``/``pages``, every change through ``services``. The answers
themselves are saved by the page's script through the HTTP API (``PUT
/api/v1/attempts/{id}/answers/{question}`` with the session and its CSRF token), as they are given.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from parta.accounts.decorators import session_or_token
from parta.assessment import pages, selectors, services
from parta.assessment.access import access_answer_file, access_attempt, access_homework_with_test, access_test
from parta.assessment.models import Attempt, Mode
from parta.assessment.views import checking
from parta.core.files import download_response
from parta.core.ids import parse_id
from parta.schools.access import roles_of


def _homework_asked(request: HttpRequest) -> int | None:
    """``homework`` of the form or the address: None when not given; anything but an id is no
    such homework (404), never a start outside homework."""
    raw = request.POST.get("homework") or request.GET.get("homework")
    if not raw:
        return None
    homework_id = parse_id(raw)
    if homework_id is None:
        raise Http404
    return homework_id


@login_required
def test_start(request: HttpRequest, material_id: int) -> HttpResponse:
    """The test's start page; POST starts an attempt (or resumes the one in progress)."""
    material = access_test(request.user, material_id)
    homework_id = _homework_asked(request)
    homework = (
        access_homework_with_test(request.user, homework_id, material.pk) if homework_id is not None else None
    )
    if request.method == "POST":
        try:
            started = services.attempt_start(request.user, material.pk, homework_id=homework_id)
        except services.Refused as refused:
            messages.error(request, refused.detail)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("assessment-attempt", started.attempt.pk)
        query = f"?{urlencode({'homework': homework_id})}" if homework_id else ""
        return redirect(reverse("assessment-test", args=[material.pk]) + query)
    start = pages.test_start(request.user, material, homework_id)
    context: dict[str, Any] = {
        "start": start,
        "summary": start.summary,
        "homework": homework,
        "mode_label": Mode(start.summary["mode"]).label if start.summary else "",
    }
    return render(request, "assessment/start.html", context)


@login_required
def attempt_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The attempt: to its student, answerable while in progress, then its results; read-only to
    their guardians; whole, with the forms to check it, to staff (``checking.check_page``)."""
    attempt = access_attempt(request.user, attempt_id)
    if pages.reads_whole(request.user, attempt):
        return checking.check_page(request, attempt)
    data = pages.attempt_page(request.user, attempt)
    own = attempt.student_id == roles_of(request.user).user_id
    now = timezone.now()
    in_progress = attempt.state == Attempt.State.IN_PROGRESS
    time_up = selectors.time_is_up(attempt, now)
    context = {
        "attempt": attempt,
        "data": data,
        "own": own,
        "editable": own and in_progress and not time_up,
        "time_up": time_up,
        "now": now,
        "student": None if own else pages.student_of(attempt),
        "training": attempt.mode == Mode.TRAINING,
    }
    return render(request, "assessment/attempt.html", context)


@login_required
@require_POST
def attempt_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The student ends the attempt (again: nothing changes); its results page follows."""
    services.attempt_submit(request.user, attempt_id)
    return redirect("assessment-attempt", attempt_id)


@login_required
def question_feedback(request: HttpRequest, attempt_id: int, question_id: str) -> HttpResponse:
    """A question's points, right answer and explanation as its reader may see them now: the page's
    script asks for it after saving an answer in training mode."""
    attempt = access_attempt(request.user, attempt_id)
    question = pages.question_of(pages.attempt_page(request.user, attempt), question_id)
    return render(request, "assessment/_feedback.html", {"q": question})


@session_or_token
def answer_file(request: HttpRequest, file_id: int) -> FileResponse:
    """A file of an open answer, to whoever reads the attempt; a sandboxed download."""
    record = access_answer_file(request.user, file_id)
    return download_response(record.file, record.name)


urlpatterns: list[URLPattern | URLResolver] = [
    path("tests/<int:material_id>/", test_start, name="assessment-test"),
    path("attempts/files/<int:file_id>/", answer_file, name="assessment-answer-file"),
    path("attempts/<int:attempt_id>/", attempt_page, name="assessment-attempt"),
    path("attempts/<int:attempt_id>/submit/", attempt_submit, name="assessment-attempt-submit"),
    path(
        "attempts/<int:attempt_id>/feedback/<slug:question_id>/",
        question_feedback,
        name="assessment-feedback",
    ),
]
