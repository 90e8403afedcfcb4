"""The material form of the authoring pages: it only parses typed input into
:class:`MaterialData`; every rule (a title, a file for an image, blocks the author may use) lives
in ``services/authoring.py`` and comes back at its field."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from parta.core.forms import add_service_errors
from parta.core.i18n import pick
from parta.core.ids import parse_id
from parta.library.content import parts_of
from parta.library.models import COMPOSED_KINDS, Kind, Language, Licence, MaterialVersion
from parta.library.selectors.authoring import topic_choices
from parta.library.services.authoring import FILE_KINDS, FILE_OR_URL_KINDS, MaterialData
from parta.library.services.moderation import SHARED
from parta.schools.models import Subject

# Which of the content fields each type asks for.
BODY_KINDS = frozenset({Kind.TEXT, Kind.TEST, Kind.FICTION, Kind.AID, Kind.WORKBOOK})
URL_KINDS = FILE_OR_URL_KINDS | {Kind.LINK, Kind.TEST, Kind.FICTION}
UPLOAD_KINDS = FILE_KINDS | FILE_OR_URL_KINDS | {Kind.TEST, Kind.FICTION}

# The types on the "new material" page, grouped as a teacher looks for them.
KIND_GROUPS = (
    (
        _("Elements"),
        (
            Kind.TEXT,
            Kind.IMAGE,
            Kind.VIDEO,
            Kind.AUDIO,
            Kind.FILE,
            Kind.LINK,
            Kind.APPLICATION,
            Kind.SIMULATOR,
            Kind.LAB,
        ),
    ),
    (_("Composed"), (Kind.SCENARIO, Kind.TEXTBOOK)),
    (_("Tests"), (Kind.TEST,)),
    (_("Books and aids"), (Kind.VIDEO_LESSON, Kind.AID, Kind.WORKBOOK, Kind.FICTION)),
)
GRADES = [(grade, str(grade)) for grade in range(1, 12)]


def _ints(values: list[str]) -> list[int]:
    return [number for number in map(parse_id, values) if number is not None]


class BelongingForm(forms.Form):
    """Where a material belongs: its subjects, grades and framework topics, the topics offered
    being those of the subjects and grades chosen (and any chosen already). The library's form
    and the test constructor's are made of it; its fields are ``library/edit.html#belongs``."""

    subjects = forms.TypedMultipleChoiceField(
        label=_("Subjects"), coerce=int, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    grades = forms.TypedMultipleChoiceField(
        label=_("Grades"), coerce=int, required=False, choices=GRADES, widget=forms.CheckboxSelectMultiple
    )
    topics = forms.TypedMultipleChoiceField(
        label=_("Framework topics"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Choose subjects and grades first: the list shows their topics."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subjects"].choices = [  # type: ignore[attr-defined]
            (pk, pick(ru, en)) for pk, ru, en in Subject.objects.values_list("pk", "name_ru", "name_en")
        ]
        chosen = self.chosen("subjects"), self.chosen("grades"), self.chosen("topics")
        self.fields["topics"].choices = topic_choices(*chosen)  # type: ignore[attr-defined]

    def chosen(self, name: str) -> list[int]:
        """The ids (or grades) chosen in a field as posted, or as the form opened; not yet checked."""
        if self.is_bound:
            return _ints(self.data.getlist(name) if hasattr(self.data, "getlist") else [])
        return [int(value) for value in self.initial.get(name) or []]


class MaterialForm(BelongingForm):
    field_order = ("title", "description", "subjects", "grades", "topics")

    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices)
    authors = forms.CharField(label=_("Authors"), max_length=500, required=False)
    duration_minutes = forms.IntegerField(label=_("Duration, minutes"), required=False)
    cover = forms.ImageField(label=_("Cover"), required=False)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 12}))
    url = forms.CharField(
        label=_("Web address"),
        required=False,
        max_length=1000,
        widget=forms.URLInput(attrs={"placeholder": "https://…"}),
    )
    file = forms.FileField(label=_("File"), required=False)
    # The constructor's blocks (or chapters) as JSON; the page's script keeps it up to date. For a
    # kind that carries another app's parts (a test's questions), those parts as the form opened.
    content = forms.CharField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("A short note in the list of versions."),
    )

    def __init__(self, *args: Any, kind: str, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        unused = []
        if kind not in BODY_KINDS:
            unused.append("body")
        if kind not in URL_KINDS:
            unused.append("url")
        if kind not in UPLOAD_KINDS:
            unused.append("file")
        if kind not in COMPOSED_KINDS and not parts_of(kind):
            unused.append("content")
        if not editing:
            unused.append("note")
        for name in unused:
            del self.fields[name]
        if kind in FILE_KINDS and not editing:
            self.fields["file"].required = True

    @property
    def is_composed(self) -> bool:
        return self.kind in COMPOSED_KINDS

    def clean_content(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("content") or ""
        try:
            content = json.loads(raw) if raw else {}
        except ValueError as error:
            raise ValidationError(_("The blocks could not be read; reload the page.")) from error
        if not isinstance(content, dict):
            raise ValidationError(_("The blocks could not be read; reload the page."))
        return self._reordered(content)

    def _reordered(self, content: dict[str, Any]) -> dict[str, Any]:
        """Without the page's script, a scenario's blocks are ordered by their number inputs."""
        if self.data.get("composer_js") or not isinstance(content.get("blocks"), list):
            return content
        orders = self.data.getlist("order") if hasattr(self.data, "getlist") else []
        blocks = content["blocks"]
        if len(orders) != len(blocks):
            return content
        keys = [(int(o) if str(o).lstrip("-").isdigit() else index, index) for index, o in enumerate(orders)]
        return {**content, "blocks": [blocks[index] for _key, index in sorted(keys)]}

    def material_data(self) -> MaterialData:
        data = self.cleaned_data
        if self.is_composed:
            content = data.get("content") or {}
        else:
            # The parts other apps keep in the content (a test's questions) are not this form's:
            # they stay as the form was opened with them (its hidden ``content``).
            content = {
                **self._registered_parts(data.get("content") or {}),
                "body": data.get("body") or "",
                "url": data.get("url") or "",
            }
        return MaterialData(
            title=data["title"],
            description=data.get("description") or "",
            language=data["language"],
            licence=data["licence"],
            authors=data.get("authors") or "",
            duration_minutes=data.get("duration_minutes"),
            subject_ids=list(data.get("subjects") or []),
            grades=list(data.get("grades") or []),
            topic_ids=list(data.get("topics") or []),
            content=content,
        )

    def _registered_parts(self, content: dict[str, Any]) -> dict[str, Any]:
        keys = {part.key for part in parts_of(self.kind)}
        return {key: value for key, value in content.items() if key in keys}

    def upload(self, name: str) -> UploadedFile[Any] | None:
        value = self.cleaned_data.get(name)
        return value if isinstance(value, UploadedFile) else None

    def add_service_errors(self, error: ValidationError) -> None:
        renamed = {} if self.is_composed else {"content": "body" if "body" in self.fields else "url"}
        add_service_errors(self, error, renamed=renamed)


def belonging_of(version: MaterialVersion) -> dict[str, list[int]]:
    """A :class:`BelongingForm`'s fields filled from a version."""
    return {"subjects": version.subject_ids, "grades": version.grades, "topics": version.topic_ids}


def initial_of(version: MaterialVersion) -> dict[str, Any]:
    """The form's fields filled from a version, to change it."""
    content = version.content or {}
    return {
        "title": version.title,
        "description": version.description,
        **belonging_of(version),
        "language": version.language,
        "licence": version.licence,
        "authors": version.authors,
        "duration_minutes": version.duration_minutes,
        "body": content.get("body", ""),
        "url": content.get("url", ""),
        "content": json.dumps(content, ensure_ascii=False),
    }


class SubmitForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("Who may see it once it is verified"),
        choices=[],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, has_school: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = [  # type: ignore[attr-defined]
            (value.value, value.label) for value in SHARED if has_school or value != "school"
        ]
