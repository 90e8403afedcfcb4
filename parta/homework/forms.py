"""Forms of the homework pages: they only parse typed input; every rule (an empty text, a date
out of range, a bad address, a file too large) lives in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from parta.core.forms import DateField, add_service_errors
from parta.homework.selectors import FileRow, LinkRow
from parta.homework.services import LinkInput, next_lesson_date
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
    # Not "files": that name is the form's uploaded files (BaseForm.files).
    new_files = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args: Any, lesson: Lesson | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lesson = lesson

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


def new_homework_form(lesson: Lesson) -> HomeworkForm:
    """An empty form for a lesson page, its date field showing the next lesson's date
    (one query). Include it with ``{% include "homework/_form.html" with form=... lesson=... %}``."""
    following = next_lesson_date(lesson)
    return HomeworkForm(lesson=lesson, initial={"due_on": following.date if following else None})
