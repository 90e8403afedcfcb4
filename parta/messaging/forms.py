"""Forms of the messaging pages: they parse typed input and offer the user's own contacts and
class groups; every rule (who may write to whom, lengths, files) lives in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parta.core.ids import parse_id
from parta.messaging.selectors import ContactGroup, GroupChoice
from parta.messaging.services import ALLOWED_TYPES, MAX_BODY, MAX_TOPIC, Upload

ACCEPT = ",".join(f".{extension}" for extension in ALLOWED_TYPES)


# The services' name of a field where the form's differs ("files" would hide Form.files).
FORM_FIELDS = {"files": "attachments", "recipient": "to", "student": "to"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; size and type are checked by the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Upload]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


def _body_field() -> forms.CharField:
    # Not required here: the service says what is wrong, in one place for the page and the API.
    return forms.CharField(
        label=_("Message"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_BODY, "required": True}),
    )


def _topic_field() -> forms.CharField:
    return forms.CharField(
        label=_("Topic"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": MAX_TOPIC, "required": True}),
    )


class ConversationForm(forms.Form):
    to = forms.ChoiceField(label=pgettext_lazy("message recipient", "To"))
    topic = _topic_field()
    body = _body_field()
    attachments = MultipleFileField(label=_("Files"))

    def __init__(self, *args: Any, groups: list[ContactGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", "—")]
        for group in groups:
            choices.append(
                (group.title, [(c.key, f"{c.name} — {c.note}" if c.note else c.name) for c in group.contacts])
            )
        self.fields["to"].choices = choices  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        """recipient_id and student_id from «person» or «person:child»."""
        person, _sep, child = self.cleaned_data["to"].partition(":")
        return {
            "recipient_id": parse_id(person),
            "student_id": parse_id(child) if child else None,
            "topic": self.cleaned_data["topic"],
            "body": self.cleaned_data["body"],
            "files": self.cleaned_data["attachments"],
        }


class ReplyForm(forms.Form):
    body = _body_field()
    attachments = MultipleFileField(label=_("Files"))


class AnnouncementForm(forms.Form):
    class_group = forms.TypedChoiceField(label=_("Class group"), coerce=int)
    topic = _topic_field()
    body = _body_field()
    attachments = MultipleFileField(label=_("Files"))

    def __init__(self, *args: Any, groups: list[GroupChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["class_group"].choices = [(g.id, g.name) for g in groups]  # type: ignore[attr-defined]
