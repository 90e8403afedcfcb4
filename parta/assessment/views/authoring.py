"""The test constructor: a teacher composes a test's questions on one page — where the test
belongs (its subjects, the teacher's own for a new test, grades and topics), its settings, its
sections and every question with the fields of its type — and saves them as a new version.

Thin: the test comes through ``access.access_test_to_edit`` (404 for anyone but its author), a
new one only for those who may make library materials; the page's script keeps the test part as
JSON in the form's ``part`` field (without the script that field is shown to edit by hand); every
save goes through ``authoring`` to the library's services, and the check's messages come back
beside the questions they name (400, nothing saved).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parta.assessment import authoring, definition
from parta.assessment.access import access_test_to_edit
from parta.assessment.models import Mode
from parta.assessment.views.statistics import TYPE_NAMES
from parta.core.forms import add_service_errors, form_status
from parta.core.ids import parse_id
from parta.library.access import may_author
from parta.library.forms.authoring import BelongingForm, belonging_of
from parta.library.models import Kind, MaterialVersion
from parta.schools.access import roles_of
from parta.schools.selectors import subjects_taught

MODES = (
    (Mode.TRAINING.value, gettext_lazy("Training: unlimited attempts, the right answer after each answer")),
    (Mode.CONTROL.value, gettext_lazy("Control: attempts as you set, the score when you choose")),
)
RESULTS = (
    ("on_submit", gettext_lazy("when the student submits")),
    ("after_deadline", gettext_lazy("after the deadline")),
)


class ConstructorForm(BelongingForm):
    """The test's title, settings and where it belongs (its subjects, grades and topics, as the
    library's form has them) as typed; its sections and questions as the JSON of the part. Only
    parses: what is allowed is the library's check and the test part's."""

    kind = Kind.TEST  # for the topic picker of library/edit.html#belongs
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Students read it before they start."),
    )
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), choices=MODES, widget=forms.RadioSelect)
    time_limit_minutes = forms.IntegerField(
        label=gettext_lazy("Time limit, minutes"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        help_text=gettext_lazy("Empty: no limit."),
    )
    attempts = forms.IntegerField(
        label=gettext_lazy("Attempts"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        help_text=gettext_lazy("Empty: unlimited."),
    )
    results = forms.ChoiceField(
        label=gettext_lazy("The score is shown"), choices=RESULTS, widget=forms.RadioSelect
    )
    show_answers = forms.BooleanField(
        label=gettext_lazy("With the score, show the right answers and explanations"), required=False
    )
    # The test part as JSON: the page's script keeps it; without the script it is edited by hand.
    part = forms.CharField(
        label=gettext_lazy("The test as JSON"),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text=gettext_lazy("Without JavaScript the sections and questions are written here."),
    )
    note = forms.CharField(
        label=gettext_lazy("What changed"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("A short note in the list of versions."),
    )

    def __init__(self, *args: Any, editing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["note"]

    def clean_part(self) -> dict[str, Any]:
        try:
            part = json.loads(self.cleaned_data.get("part") or "")
        except ValueError:
            part = None
        if not isinstance(part, dict):
            raise ValidationError(_("The questions could not be read; reload the page."))
        return part

    def test_part(self) -> dict[str, Any]:
        """The part with the settings of the form's fields."""
        data = self.cleaned_data
        return {**data["part"], **{key: data.get(key) for key in authoring.SETTINGS}}

    def edited(self) -> authoring.Edited:
        data = self.cleaned_data
        return authoring.Edited(
            title=data["title"],
            description=data["description"],
            part=self.test_part(),
            subject_ids=list(data.get("subjects") or []),
            grades=list(data.get("grades") or []),
            topic_ids=list(data.get("topics") or []),
        )


def _initial(
    title: str, description: str, part: dict[str, Any], belonging: dict[str, list[int]]
) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        **belonging,
        **{key: part.get(key) for key in authoring.SETTINGS},
        "part": authoring.part_json(part),
    }


def _page(
    request: HttpRequest,
    form: ConstructorForm,
    *,
    version: MaterialVersion | None,
    problems: authoring.Problems | None = None,
) -> HttpResponse:
    # The part as given (the posted one when the form comes back), for the topics it uses.
    try:
        part = json.loads(form["part"].value() or "{}")
    except ValueError:
        part = {}
    part = part if isinstance(part, dict) else {}
    problems = problems or authoring.Problems()
    context = {
        "form": form,
        "material": version.material if version is not None else None,
        "version": version,
        "types": [(value, str(label)) for value, label in TYPE_NAMES.items()],
        "topics": [
            [str(group), [[pk, str(text)] for pk, text in choices]]
            for group, choices in authoring.topics_for(form.chosen("subjects"), form.chosen("grades"), part)
        ],
        "errors": {
            "questions": {str(n): texts for n, texts in problems.questions.items()},
            "sections": {str(n): texts for n, texts in problems.sections.items()},
        },
        "question_numbers": sorted(problems.questions),
        "section_numbers": sorted(problems.sections),
    }
    return render(request, "assessment/constructor.html", context, status=form_status(request))


def _refused(form: ConstructorForm, error: ValidationError | None) -> authoring.Problems:
    problems = authoring.problems_of(error) if error is not None else authoring.Problems()
    if problems.rest:
        add_service_errors(form, ValidationError(problems.rest), renamed={definition.FIELD: "part"})
    return problems


def _checked_anyway(request: HttpRequest, form: ConstructorForm) -> authoring.Problems | None:
    """A form refused before the service (no title) still shows what the check finds in its part."""
    part = form.cleaned_data.get("part")
    if not isinstance(part, dict):
        return None
    return _refused(form, authoring.constructor_check(request.user, part=form.test_part()))


@login_required
def new_test(request: HttpRequest) -> HttpResponse:
    """A new test built from the start; saving makes it a library material, a private draft."""
    if not may_author(request.user):
        raise Http404
    if request.method != "POST":
        # The subjects the teacher teaches to start with: a test is offered at their lessons.
        subjects = subjects_taught(roles_of(request.user), timezone.localdate())
        initial = _initial("", "", authoring.blank_part(), {"subjects": subjects})
        return _page(request, ConstructorForm(initial=initial, editing=False), version=None)
    form = ConstructorForm(request.POST, editing=False)
    problems = None
    if form.is_valid():
        try:
            material = authoring.constructor_create(
                request.user, form.edited(), language=get_language() or ""
            )
        except ValidationError as error:
            problems = _refused(form, error)
        else:
            messages.success(request, _("The test is saved: only you see it until it is verified."))
            return redirect("library-material", material.pk)
    else:
        problems = _checked_anyway(request, form)
    return _page(request, form, version=None, problems=problems)


@login_required
def questions_page(request: HttpRequest, material_id: int) -> HttpResponse:
    """The questions of a test its author changes; every save is a new version."""
    material = access_test_to_edit(request.user, material_id)
    latest = material.latest
    if latest is None:
        raise Http404
    if request.method != "POST":
        initial = _initial(latest.title, latest.description, authoring.part_of(latest), belonging_of(latest))
        return _page(request, ConstructorForm(initial=initial, editing=True), version=latest)
    form = ConstructorForm(request.POST, editing=True)
    problems = None
    if form.is_valid():
        try:
            version = authoring.constructor_save(
                request.user, material.pk, form.edited(), note=form.cleaned_data.get("note") or ""
            )
        except ValidationError as error:
            problems = _refused(form, error)
        else:
            messages.success(request, _("Version %(n)d of the test is saved.") % {"n": version.number})
            return redirect("library-material", material.pk)
    else:
        problems = _checked_anyway(request, form)
    return _page(request, form, version=latest, problems=problems)


@login_required
@require_POST
def question_preview(request: HttpRequest) -> HttpResponse:
    """One unsaved question as a student sees it, with its right answer (the constructor asks)."""
    if not may_author(request.user):
        raise Http404
    number = parse_id(request.POST.get("number")) or 1
    preview = authoring.question_preview(request.POST.get("question") or "", number)
    context = {"q": preview.question, "errors": preview.errors, "editable": True}
    status = 400 if preview.errors else 200
    return render(request, "assessment/_constructor_preview.html", context, status=status)


urlpatterns: list[URLPattern | URLResolver] = [
    path("tests/new/", new_test, name="assessment-test-new"),
    path("tests/<int:material_id>/questions/", questions_page, name="assessment-test-questions"),
    path("tests/questions/preview/", question_preview, name="assessment-question-preview"),
]
