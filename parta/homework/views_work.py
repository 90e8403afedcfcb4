"""The students' work on homework: the homework's page — for its teacher, where each student
stands; for the student, their work with the form to hand it in; for a guardian, the child's work
— the teacher's check screen (checked or returned, a comment, the mark into the journal) and the
handed-in files.

Thin: objects come through ``parta.homework.access`` and ``selectors_work`` (404 for anything not
the user's), writes through ``work`` and ``marking``; a refused write shows its form again with
the errors at their fields (400) and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.accounts.decorators import session_or_token
from parta.core.files import download_response
from parta.core.ids import parse_id
from parta.homework import marking, selectors_work, work
from parta.homework.access import access_homework
from parta.homework.forms import CheckForm, WorkForm
from parta.homework.models import WorkStatus
from parta.homework.selectors_work import WorkDetail
from parta.schools.access import roles_of


def _may(request: HttpRequest, homework_id: int, **how: bool) -> bool:
    try:
        access_homework(request.user, homework_id, **how)
    except Http404:
        return False
    return True


def _work_page(request: HttpRequest, found: WorkDetail, form: WorkForm | None = None) -> HttpResponse:
    own = found.student_id == roles_of(request.user).user_id
    if own and found.open_to_student and form is None:
        form = WorkForm(initial={"text": found.text}, files_attached=found.files)
    context = {"work": found, "hw": found.summary, "own": own, "form": form if own else None}
    return render(
        request, "homework/work.html", context, status=400 if form is not None and form.errors else 200
    )


@login_required
def homework_detail(request: HttpRequest, homework_id: int) -> HttpResponse:
    """The homework's page: its teacher, the class teacher and the administrators see where each
    student stands; a student their own work; a guardian a child's (``?student=``)."""
    asked = parse_id(request.GET.get("student"))
    if asked is None and _may(request, homework_id, staff_only=True):
        completion = selectors_work.homework_completion(request.user, homework_id)
        context = {
            "completion": completion,
            "hw": completion.homework,
            "can_edit": _may(request, homework_id, for_write=True),
        }
        return render(request, "homework/detail.html", context)
    student_id = asked or selectors_work.student_given(request.user, homework_id)
    return _work_page(request, selectors_work.own_work(request.user, homework_id, student_id))


@login_required
@require_POST
def work_save(request: HttpRequest, homework_id: int) -> HttpResponse:
    """The student saves their answer as a draft (``action=draft``) or hands it in."""
    found = selectors_work.own_work(request.user, homework_id, roles_of(request.user).user_id or 0)
    form = WorkForm(request.POST, request.FILES, files_attached=found.files)
    hand_in = request.POST.get("action") != "draft"
    if form.is_valid():
        try:
            work.work_save(request.user, homework_id, hand_in=hand_in, **form.service_kwargs())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The work is handed in.") if hand_in else _("The draft is saved."))
            return redirect("homework-detail", homework_id)
    return _work_page(request, found, form)


def _check_page(request: HttpRequest, found: WorkDetail, form: CheckForm) -> HttpResponse:
    context = {"work": found, "hw": found.summary, "form": form}
    return render(request, "homework/check.html", context, status=400 if form.errors else 200)


@login_required
def work_check(request: HttpRequest, homework_id: int, student_id: int) -> HttpResponse:
    """The teacher's check screen: the student's work, the history, the decision, the comment and
    the homework mark in the journal, all saved together or not at all."""
    found = selectors_work.work_to_check(request.user, homework_id, student_id)
    if request.method != "POST":
        decision = WorkStatus.RETURNED if found.status == WorkStatus.RETURNED else WorkStatus.CHECKED
        initial = {"decision": decision, "comment": found.comment, "mark": parse_id(found.mark)}
        return _check_page(request, found, CheckForm(initial=initial))
    form = CheckForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            marking.work_check_with_mark(
                request.user,
                homework_id,
                student_id,
                decision=data["decision"],
                comment=data["comment"],
                mark=data.get("mark"),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The check is saved."))
            return redirect("homework-detail", homework_id)
    return _check_page(request, found, form)


@session_or_token
def work_file(request: HttpRequest, file_id: int) -> FileResponse:
    """A handed-in file, to the student, their guardians and the homework's staff; a sandboxed
    download, never shown inline."""
    record = selectors_work.access_work_file(request.user, file_id)
    return download_response(record.file, record.name)


urlpatterns: list[URLPattern | URLResolver] = [
    path("homework/<int:homework_id>/", homework_detail, name="homework-detail"),
    path("homework/<int:homework_id>/work/", work_save, name="homework-work-save"),
    path("homework/<int:homework_id>/work/<int:student_id>/", work_check, name="homework-work-check"),
    path("homework/work-files/<int:file_id>/", work_file, name="homework-work-file"),
]
