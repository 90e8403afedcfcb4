"""The teacher's page of a test's statistics: the score distribution as a chart (and a table for
those without JavaScript), and each question's figures. Thin: the figures and the access (404 for
anyone but staff, and for a test or homework not theirs) come from ``selectors_statistics``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import pgettext_lazy

from parta.assessment import selectors_statistics
from parta.assessment.statistics import Distribution
from parta.core.ids import parse_id

# In context: "number" or "matching" alone mean other things elsewhere on the site.
TYPE_NAMES = {
    "single": pgettext_lazy("question type", "single choice"),
    "multiple": pgettext_lazy("question type", "multiple choice"),
    "true_false": pgettext_lazy("question type", "true or false"),
    "short_text": pgettext_lazy("question type", "short answer"),
    "numeric": pgettext_lazy("question type", "number"),
    "matching": pgettext_lazy("question type", "matching"),
    "ordering": pgettext_lazy("question type", "ordering"),
    "blanks": pgettext_lazy("question type", "fill in the blanks"),
    "open": pgettext_lazy("question type", "open answer"),
}


def _chart(distribution: Distribution) -> dict[str, Any]:
    return {
        "labels": [f"{score_bin.low}–{score_bin.high} %" for score_bin in distribution.bins],
        "counts": [score_bin.count for score_bin in distribution.bins],
    }


@login_required
def statistics_page(request: HttpRequest, material_id: int) -> HttpResponse:
    # A page ignores a bad ?homework= (all the attempts are shown); the API answers 400.
    homework_id = parse_id(request.GET.get("homework"))
    found = selectors_statistics.test_statistics(request.user, material_id, homework_id=homework_id)
    context = {
        "found": found,
        "distribution": found.statistics.distribution,
        "questions": [
            (question, TYPE_NAMES.get(question.type, question.type))
            for question in found.statistics.questions
        ],
        "chart": _chart(found.statistics.distribution),
        "homework_choices": selectors_statistics.homework_choices(request.user, found.test.pk),
    }
    return render(request, "assessment/statistics.html", context)


urlpatterns: list[URLPattern | URLResolver] = [
    path("tests/<int:material_id>/statistics/", statistics_page, name="assessment-statistics"),
]
