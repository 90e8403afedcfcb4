"""Forms of the homework pages: they only parse typed input; every rule (an empty text, a date
out of range, a bad address, a file too large) lives in services.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parta.core.forms import DateField, add_service_errors
from parta.core.ids import parse_id
from parta.homework.models import WorkStatus
from parta.homework.selectors import FileRow, LinkRow, group_members, students_by_name
from parta.homework.services import LinkInput, next_lesson_date
from parta.library.selectors.lessons import LessonOffer, OfferedMaterial, offered_materials
from parta.schools.forms import DateInput
from parta.timetable.models import Lesson


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def parse_links(raw: str) -> list[LinkInput]:
    """One link a line: the address, then (optionally) its title after a space."""
    links = []
    for line in (raw or "").splitlines():
        parts = line.strip().split(maxsplit=1)
        if parts:
            links.append(LinkInput(parts[0], parts[1] if len(parts) > 1 else ""))
    return links


def format_links(links: tuple[LinkRow, ...]) -> str:
    return "\n".join(f"{link.url} {link.title}".strip() for link in links)


def materials_offer(user: Any, lesson: Lesson, chosen: Iterable[Any] = ()) -> list[OfferedMaterial]:
    """The library materials the homework form offers (one query): those ``chosen`` already (ids,
    posted or saved), then those given at the lesson, then its topic's, then its subject's and
    grade's, by popularity; all of them materials the teacher may open."""
    ids = [pk for pk in (parse_id(str(value)) for value in chosen) if pk is not None]
    offer = LessonOffer(
        subject_id=lesson.subject_id, grade=lesson.class_group.grade, topic_id=lesson.topic_id
    )
    return offered_materials(user, offer, first=ids, given_at=lesson.pk)


def _material_label(material: OfferedMaterial) -> str:
    notes = [material.kind_label]
    if material.given:
        notes.append(gettext("given at the lesson"))
    elif material.on_topic:
        notes.append(gettext("on the topic"))
    return f"{material.title} ({', '.join(notes)})"


# The services' field names that the forms call otherwise.
_SERVICE_FIELDS = {"files": "new_files", "files_remove": "remove_files"}


class HomeworkForm(forms.Form):
    text = forms.CharField(
        label=_("Assignment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_on = DateField(
        label=_("Due on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the next lesson of the subject."),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "https://…"}),
        help_text=_("One a line: the address, then its title if you like."),
    )
    materials = forms.TypedMultipleChoiceField(
        label=_("Materials from the library"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The class opens them from the homework and the diary."),
    )
    # Not "files": that name is the form's uploaded files (BaseForm.files).
    new_files = MultipleFileField(label=_("Files"), required=False)
    minutes = forms.IntegerField(
        label=_("Time it should take, minutes"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-narrow"}),
    )
    students = forms.TypedMultipleChoiceField(
        label=_("Only for these students"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-columns"}),
        help_text=_("Tick none to set it for the whole group."),
    )

    def __init__(
        self,
        *args: Any,
        lesson: Lesson | None = None,
        offered: Sequence[OfferedMaterial] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lesson = lesson
        field = self.fields["materials"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(material.id, _material_label(material)) for material in offered]
        students = self.fields["students"]
        assert isinstance(students, forms.TypedMultipleChoiceField)
        if lesson is not None:
            rows = students_by_name(group_members(lesson.class_group_id, lesson.subgroup_id))
            students.choices = [
                (row["student_id"], f"{row['student__last_name']} {row['student__first_name']}".strip())
                for row in rows
            ]
        # Nothing to offer: no field, unless materials were posted (they are then refused, not ignored).
        if not offered and not (self.is_bound and self.data.get("materials")):
            del self.fields["materials"]

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error, renamed=_SERVICE_FIELDS)

    def uploaded_files(self) -> list[UploadedFile[Any]]:
        return list(self.cleaned_data.get("new_files") or [])

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "text": data.get("text") or "",
            "due_on": data.get("due_on"),
            "links": parse_links(data.get("links") or ""),
            "materials": list(data.get("materials") or []),
            "minutes": data.get("minutes"),
            "students": list(data.get("students") or []),
        }


class HomeworkEditForm(HomeworkForm):
    remove_files = forms.TypedMultipleChoiceField(
        label=_("Remove files"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, files_attached: tuple[FileRow, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["remove_files"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(file.id, file.name) for file in files_attached]
        if not files_attached:
            del self.fields["remove_files"]


def new_homework_form(lesson: Lesson, user: Any) -> HomeworkForm:
    """An empty form for a lesson page, its date field showing the next lesson's date, offering
    the library materials the teacher may give (two queries). Include it with
    ``{% include "homework/_form.html" with form=... lesson=... %}``."""
    following = next_lesson_date(lesson)
    return HomeworkForm(
        lesson=lesson,
        offered=materials_offer(user, lesson),
        initial={"due_on": following.date if following else None},
    )


class WorkForm(forms.Form):
    """The student's answer to homework: text and files, kept as a draft or handed in."""

    text = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    new_files = MultipleFileField(label=_("Files"), required=False)
    remove_files = forms.TypedMultipleChoiceField(
        label=_("Remove files"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, files_attached: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["remove_files"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(file.id, file.name) for file in files_attached]
        if not files_attached:
            del self.fields["remove_files"]

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error, renamed=_SERVICE_FIELDS)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "text": data.get("text") or "",
            "files_add": list(data.get("new_files") or []),
            "files_remove": list(data.get("remove_files") or []),
        }


class CheckForm(forms.Form):
    """The teacher's check of a student's work, with the homework mark if given."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(WorkStatus.CHECKED, _("Checked")), (WorkStatus.RETURNED, _("Return for rework"))],
        widget=forms.RadioSelect,
        initial=WorkStatus.CHECKED,
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    mark = forms.IntegerField(
        label=_("Mark in the journal"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-narrow"}),
        help_text=_("Leave empty to check without a mark."),
    )

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error, renamed={"value": "mark"})
