"""Checking a test: the attempt whole for the staff who read it, with a form per answer for those
who check it (an open answer checked by hand, an automatic score overridden), and the attempts
made for a homework.

Thin: the attempt comes through ``parta.assessment.access`` (404 for anything not the user's),
its data through ``pages``/``selectors``, a grading through ``services.answer_grade``; a bad value
shows the form again with its error (400) and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parta.assessment import marking, pages, services
from parta.assessment.models import Attempt
from parta.core.forms import add_service_errors
from parta.homework.access import access_homework


class GradeForm(forms.Form):
    # Text, not a number field: "2,5" is a number here, and the service says what is allowed.
    points = forms.CharField(label=gettext_lazy("Points"), max_length=20)
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=services.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MarkForm(forms.Form):
    value = forms.IntegerField(label=gettext_lazy("Mark"), min_value=0, max_value=100)


def _grade_form(answer: dict[str, Any], earned: Any, prefix: str) -> GradeForm:
    points = "" if earned is None else f"{earned:f}".rstrip("0").rstrip(".")
    return GradeForm(prefix=prefix, initial={"points": points, "comment": answer.get("comment", "")})


def _with_range(form: GradeForm, most: int) -> GradeForm:
    text = _("From 0 to %(most)d, in steps of 0.5.") % {"most": most}
    form.fields["points"].help_text = text
    # And on the bound field: a form shown again has made its bound fields already.
    form["points"].help_text = text
    return form


def check_page(
    request: HttpRequest,
    attempt: Attempt,
    *,
    failed: tuple[str, GradeForm] | None = None,
    mark_form: MarkForm | None = None,
) -> HttpResponse:
    """The attempt whole (the reader is staff who read it), a grading form under each answer the
    reader may check; ``failed`` is the question whose form comes back with its errors."""
    data = pages.attempt_page(request.user, attempt)
    checkable = pages.checkable_answer_ids(request.user, attempt)
    for question in data["questions"]:
        answer = question.get("answer") or {}
        question["checkable"] = answer.get("id") in checkable
        question["waiting"] = bool(answer) and question.get("earned") is None
        if not question["checkable"]:
            continue
        prefix = f"grade-{question['id']}"
        if failed is not None and failed[0] == question["id"]:
            form = failed[1]
        else:
            form = _grade_form(answer, question.get("earned"), prefix)
        question["form"] = _with_range(form, question["points"])
    journal = pages.journal_mark(request.user, attempt)
    if journal.may_mark and mark_form is None:
        mark_form = MarkForm(initial={"value": journal.mark.value if journal.mark else None})
    context = {
        "attempt": attempt,
        "data": data,
        "student": pages.student_of(attempt),
        "may_check": bool(checkable),
        "journal": journal,
        "mark_form": mark_form,
    }
    refused = failed is not None or (mark_form is not None and mark_form.errors)
    return render(request, "assessment/check.html", context, status=400 if refused else 200)


@login_required
@require_POST
def answer_grade(request: HttpRequest, answer_id: int) -> HttpResponse:
    """A teacher's points and comment for one answer."""
    attempt, question_id = pages.attempt_of_answer_to_check(request.user, answer_id)
    form = GradeForm(request.POST, prefix=f"grade-{question_id}")
    page = reverse("assessment-attempt", args=[attempt.pk])
    if form.is_valid():
        try:
            services.answer_grade(
                request.user, answer_id, form.cleaned_data["points"], form.cleaned_data["comment"]
            )
        except services.Refused as refused:
            messages.error(request, refused.detail)
            return redirect(page)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The points are saved."))
            return redirect(f"{page}#q-{question_id}")
    return check_page(request, attempt, failed=(question_id, form))


@login_required
@require_POST
def attempt_mark(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The attempt's mark put into the journal (or changed there) by the homework's teacher."""
    attempt = marking.access_attempt_to_mark(request.user, attempt_id)
    form = MarkForm(request.POST)
    page = reverse("assessment-attempt", args=[attempt.pk])
    if form.is_valid():
        try:
            marking.attempt_mark(request.user, attempt.pk, form.cleaned_data["value"])
        except services.Refused as refused:
            messages.error(request, refused.detail)
            return redirect(page)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The mark is in the journal."))
            return redirect(page)
    return check_page(request, attempt, mark_form=form)


@login_required
def homework_attempts(request: HttpRequest, homework_id: int) -> HttpResponse:
    """The attempts made for a homework, for the staff who read it through work."""
    homework = access_homework(request.user, homework_id, staff_only=True)
    context = {"homework": homework, "rows": pages.homework_attempts(request.user, homework)}
    return render(request, "assessment/homework_attempts.html", context)


urlpatterns: list[URLPattern | URLResolver] = [
    path("answers/<int:answer_id>/grade/", answer_grade, name="assessment-answer-grade"),
    path("attempts/<int:attempt_id>/mark/", attempt_mark, name="assessment-attempt-mark"),
    path("homework/<int:homework_id>/tests/", homework_attempts, name="assessment-homework-attempts"),
]
