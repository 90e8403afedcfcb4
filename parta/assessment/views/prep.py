"""Self-preparation for the final exams: the catalogue of training tests (``/prep/``) and a
student's progress over their attempts (``/prep/progress/``), with a guardian's tabs for their
children. Thin: what is shown, and who may see whose progress (404 for anyone else's child), come
from ``selectors_prep`` and ``selectors_progress``; a test is taken on its own pages (``taking``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.http import urlencode

from parta.assessment import definition, selectors_prep, selectors_progress
from parta.core.ids import parse_id


def _student_asked(request: HttpRequest) -> int | None:
    """``?student=``: None when not given; anything but an id is no such student (404)."""
    raw = request.GET.get("student")
    if not raw:
        return None
    student_id = parse_id(raw)
    if student_id is None:
        raise Http404
    return student_id


def _learner_url(url_name: str, learner: selectors_prep.Learner | None) -> str:
    """The page for the learner: ``?student=`` for anyone but the reader themself."""
    url = reverse(url_name)
    return url if learner is None or learner.is_self else f"{url}?student={learner.id}"


def _child_tabs(whose: selectors_prep.Whose, url_name: str, **query: str) -> list[dict[str, Any]]:
    """A guardian's tabs, one a child (none for one student alone)."""
    if len(whose.learners) < 2:
        return []
    base = reverse(url_name)
    return [
        {
            "name": learner.name,
            "url": base + "?" + urlencode({**query, "student": str(learner.id)}),
            "active": whose.learner is not None and learner.id == whose.learner.id,
        }
        for learner in whose.learners
    ]


@login_required
def prep_catalogue(request: HttpRequest) -> HttpResponse:
    """The tests for the OGE and EGE by exam and subject, with the learner's progress at each; a
    student starts or continues one from here."""
    exam = request.GET.get("exam") or None
    if exam not in definition.EXAMS:
        exam = None  # a page ignores a bad filter; the API answers 400
    subject = (request.GET.get("subject") or "").strip()[:40] or None
    catalogue = selectors_prep.prep_catalogue(
        request.user, exam=exam, subject=subject, student_id=_student_asked(request)
    )
    learner = catalogue.whose.learner
    context = {
        "catalogue": catalogue,
        "learner": learner,
        "children": _child_tabs(
            catalogue.whose,
            "prep-catalogue",
            **{key: value for key, value in (("exam", exam), ("subject", subject)) if value},
        ),
        "progress_url": _learner_url("prep-progress", learner),
    }
    return render(request, "assessment/prep_catalogue.html", context)


@login_required
def prep_progress(request: HttpRequest) -> HttpResponse:
    """The learner's scores over their attempts by subject and test, as charts and tables, and
    their results by topic; 404 for anyone who follows no student."""
    report = selectors_progress.prep_progress(request.user, _student_asked(request))
    if report is None:
        raise Http404
    learner = report.whose.learner
    assert learner is not None
    context = {
        "report": report,
        "learner": learner,
        "subjects": [
            {
                "group": group,
                "chart_id": f"prep-chart-{number}",
                "data_id": f"prep-chart-{number}-data",
                "chart": group.chart(),
            }
            for number, group in enumerate(report.subjects, start=1)
        ],
        "children": _child_tabs(report.whose, "prep-progress"),
        "catalogue_url": _learner_url("prep-catalogue", learner),
    }
    return render(request, "assessment/prep_progress.html", context)


urlpatterns: list[URLPattern | URLResolver] = [
    path("prep/", prep_catalogue, name="prep-catalogue"),
    path("prep/progress/", prep_progress, name="prep-progress"),
]
