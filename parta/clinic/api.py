"""The clinics' API: a clinic's system posts, reads and withdraws its sick notes (docs/clinic.md).

Machines only: a clinic's credential with the scope ``attendance:clinic``, and every POST body
signed with the client's signing secret (``X-Parta-Signature``). Every refusal names a ``code``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import Field
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.accounts.permissions import HasScope, SignedBody
from parta.clinic import identifiers, services
from parta.clinic.models import SickNote
from parta.core.api import ERROR_SERIALIZER, DateField, FlatInputSerializer, error_responses
from parta.core.idempotency import REPLAYED, IdempotentApi

NOTE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class Conflict(exceptions.APIException):
    """The note_id is taken by something this request cannot change (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This note cannot be changed so.")
    default_code = "note_conflict"


class _Renamed(FlatInputSerializer):
    """Fields declared with a trailing underscore (``from_``) are named without it: ``from`` is
    Python's keyword."""

    def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
        return {name.rstrip("_"): field for name, field in super().get_fields().items()}


class _Strict(_Renamed):
    """A field the API does not know is refused (``unknown_field``), not dropped: a note carries
    no medical details, and a clinic that sends them is told at once."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                message = _("Unknown field: a note carries only its number, the student and dates.")
                raise serializers.ValidationError(
                    {name: [ErrorDetail(message, code="unknown_field")] for name in unknown}
                )
        return super().to_internal_value(data)


class NoteInputSerializer(_Strict):
    note_id = serializers.RegexField(
        NOTE_ID_PATTERN,
        max_length=64,
        help_text=gettext_lazy(
            "The clinic's own number of the note: 1 to 64 Latin letters, digits, “.”, “_” and “-”,"
            " beginning with a letter or digit; unique per clinic."
        ),
    )
    student = serializers.CharField(
        max_length=20,
        help_text=gettext_lazy(
            "The student's city registry number (SNILS): 11 digits, as 11223344595 or 112-233-445 95."
        ),
    )
    from_ = DateField(help_text=gettext_lazy("The first day of illness."))
    to = DateField(help_text=gettext_lazy("The last day of illness; not after the day of issue."))
    issued_at = serializers.DateTimeField(
        help_text=gettext_lazy(
            "When the clinic issued this version of the note (ISO 8601; without an offset, the"
            " city's time). A later one amends the note."
        )
    )

    class Meta:
        ref_name = "SickNoteInput"

    def validate_student(self, value: str) -> str:
        number = identifiers.normalize(value)
        if number is None:
            raise serializers.ValidationError(
                _("Not a city registry number: 11 digits whose last two are the check number."),
                code="invalid",
            )
        return number


class WithdrawInputSerializer(_Strict):
    class Meta:
        ref_name = "SickNoteWithdrawInput"


class NoteSerializer(_Renamed):
    note_id = serializers.CharField()
    status = serializers.ChoiceField(choices=SickNote.Status.choices)
    version = serializers.IntegerField(
        help_text=gettext_lazy("1 when recorded; each amendment and the withdrawal add one.")
    )
    from_ = serializers.DateField()
    to = serializers.DateField()
    issued_at = serializers.DateTimeField()
    lessons_marked = serializers.IntegerField(
        help_text=gettext_lazy("The lessons whose attendance the note holds as “sick” after this version.")
    )
    lessons_restored = serializers.IntegerField(
        help_text=gettext_lazy("The lessons this version gave back as they were before the note.")
    )
    received_at = serializers.DateTimeField(help_text=gettext_lazy("When Parta received this version."))

    class Meta:
        ref_name = "SickNote"


def _note_data(answer: services.NoteAnswer) -> dict[str, Any]:
    change = answer.change
    withdrawn = change.kind == change.Kind.WITHDRAWN
    return {
        "note_id": answer.note.note_id,
        "status": SickNote.Status.WITHDRAWN if withdrawn else SickNote.Status.RECORDED,
        "version": change.version,
        "from": change.starts_on,
        "to": change.ends_on,
        "issued_at": change.issued_at,
        "lessons_marked": change.lessons_marked,
        "lessons_restored": change.lessons_restored,
        "received_at": change.at,
    }


def _answer(answer: services.NoteAnswer) -> Response:
    """As the version first answered: 201 for the note's first, 200 for an amendment or the
    withdrawal; a repeat says so in ``Idempotent-Replayed``."""
    response = Response(
        NoteSerializer(_note_data(answer)).data,
        status=status.HTTP_201_CREATED if answer.created else status.HTTP_200_OK,
    )
    if answer.replayed:
        response[REPLAYED] = "true"
    return response


_FORBIDDEN = OpenApiResponse(
    ERROR_SERIALIZER,
    description=gettext_lazy("The credential is not a clinic's (no attendance:clinic scope)."),
)
_CONFLICT = OpenApiResponse(
    ERROR_SERIALIZER,
    description=gettext_lazy(
        "note_conflict: the note_id names a note with other content that is no later version of it;"
        " note_withdrawn: it was withdrawn. Nothing was changed."
    ),
)


class ClinicApi(IdempotentApi):
    """A clinic's signed write: the scope first, then the body's signature (a bad one is 400
    ``bad_signature``); a note the request cannot change is 409 with its code."""

    permission_classes = [HasScope(services.SCOPE), SignedBody]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, services.NoteConflict):
            exc = Conflict(detail=exc.message, code=exc.code)
        return super().handle_exception(exc)


class SickNoteListApi(ClinicApi):
    @extend_schema(
        operation_id="clinic_notes_create",
        tags=["clinic"],
        request=NoteInputSerializer,
        responses={
            201: NoteSerializer,
            200: OpenApiResponse(
                NoteSerializer,
                description=gettext_lazy("An amendment (the same note_id, a later issued_at, other dates)."),
            ),
            **error_responses(400, 401),
            403: _FORBIDDEN,
            409: _CONFLICT,
        },
    )
    def post(self, request: Request) -> Response:
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        answer = services.sick_note_record(
            request.user,
            note_id=v["note_id"],
            number=v["student"],
            starts_on=v["from"],
            ends_on=v["to"],
            issued_at=v["issued_at"],
        )
        return _answer(answer)


class SickNoteDetailApi(APIView):
    permission_classes = [HasScope(services.SCOPE)]

    @extend_schema(
        operation_id="clinic_notes_retrieve",
        tags=["clinic"],
        responses={200: NoteSerializer, **error_responses(401, 404), 403: _FORBIDDEN},
    )
    def get(self, request: Request, note_id: str) -> Response:
        answer = services.sick_note_latest(request.user, note_id=note_id)
        return Response(NoteSerializer(_note_data(answer)).data)


class SickNoteWithdrawApi(ClinicApi):
    @extend_schema(
        operation_id="clinic_notes_withdraw",
        tags=["clinic"],
        request=WithdrawInputSerializer,
        responses={200: NoteSerializer, **error_responses(400, 401, 404), 403: _FORBIDDEN},
    )
    def post(self, request: Request, note_id: str) -> Response:
        WithdrawInputSerializer(data=request.data).is_valid(raise_exception=True)
        return _answer(services.sick_note_withdraw(request.user, note_id=note_id))
