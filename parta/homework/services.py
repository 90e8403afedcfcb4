"""Setting homework on a lesson, changing and deleting it, and the student's tick.

Every write takes the acting user, reaches its object through ``parta.homework.access`` (404 for
anything not theirs), checks all of its input before writing anything and raises
``ValidationError`` with a message per field. Setting and changing homework emits the
``homework.set`` outbox event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.core.files import content_matches, extension_of
from parta.homework.access import (
    access_homework,
    access_homework_to_tick,
    access_lesson_for_homework,
)
from parta.homework.models import Homework, HomeworkCompletion, HomeworkFile, HomeworkLink, HomeworkMaterial
from parta.library.access import materials_readable_by
from parta.library.models import Material
from parta.library.services.assignments import material_assign, material_unassign
from parta.outbox.services import emit
from parta.timetable.models import Lesson

# A due date further than this from the lesson is a typo (a year instead of a week).
MAX_DUE_DAYS = 60
MAX_TEXT_LENGTH = 10_000
MAX_LINKS = 20
MAX_FILES = 10
MAX_TITLE_LENGTH = 200
MAX_URL_LENGTH = 1000
MAX_FILE_NAME_LENGTH = 200
MAX_MATERIALS = 20
# Documents, spreadsheets, slides, pictures, sound and video a school hands out; never anything
# a browser or an operating system would run.
ALLOWED_EXTENSIONS = frozenset(
    {
        "pdf", "txt", "rtf", "doc", "docx", "odt", "xls", "xlsx", "ods", "csv", "ppt", "pptx", "odp",
        "jpg", "jpeg", "png", "gif", "webp", "heic", "svg",
        "mp3", "m4a", "ogg", "wav", "mp4", "webm", "mov",
        "zip", "epub", "djvu", "ggb",
    }
)  # fmt: skip
# Each one's content is checked against its name (parta.core.files). SVG can carry scripts: stored,
# but sent as a sandboxed download like every file (views.homework_file).

_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class LinkInput:
    url: str
    title: str = ""


LinkLike = LinkInput | tuple[str, str] | tuple[str]


# --- the due date ------------------------------------------------------------------------


def _group_lessons(lesson: Lesson) -> QuerySet[Lesson]:
    """The scheduled lessons of the lesson's class group and subject that its students attend: for
    a split lesson, the same subgroup's or whole-class ones; for a whole-class lesson, whole-class
    ones (a lesson of one subgroup is not the whole class's)."""
    if lesson.subgroup_id is not None:
        group = Q(subgroup_id=lesson.subgroup_id) | Q(subgroup__isnull=True)
    else:
        group = Q(subgroup__isnull=True)
    return Lesson.objects.filter(
        group,
        class_group_id=lesson.class_group_id,
        subject_id=lesson.subject_id,
        status=Lesson.Status.SCHEDULED,
    )


def next_lesson_date(lesson: Lesson) -> Lesson | None:
    """The class group's next scheduled lesson of the same subject on a later day: for a split
    lesson, the same subgroup's or a whole-class one; for a whole-class lesson, a whole-class one
    (a lesson of one subgroup is not the whole class's). One query."""
    return _group_lessons(lesson).filter(date__gt=lesson.date).order_by("date", "number").first()


def _due_lesson_on(lesson: Lesson, day: dt.date) -> Lesson | None:
    """The lesson of the group and subject on that day, if there is one (the homework is due at it)."""
    return _group_lessons(lesson).filter(date=day).exclude(pk=lesson.pk).order_by("number").first()


# --- validation --------------------------------------------------------------------------


def _clean_text(text: str, errors: FieldErrors) -> str:
    text = (text or "").strip()
    if not text:
        errors.add("text", _("Write what is to be done."))
    elif len(text) > MAX_TEXT_LENGTH:
        errors.add("text", _("Write at most %(count)d characters.") % {"count": MAX_TEXT_LENGTH})
    return text


def _clean_links(links: Iterable[LinkLike], errors: FieldErrors) -> list[LinkInput]:
    cleaned: list[LinkInput] = []
    for raw in links:
        if isinstance(raw, LinkInput):
            link = raw
        else:
            url = raw[0] if raw else ""
            title = raw[1] if len(raw) > 1 else ""
            link = LinkInput(str(url or "").strip(), str(title or "").strip())
        url, title = link.url.strip(), link.title.strip()
        if not url:
            continue
        try:
            if len(url) > MAX_URL_LENGTH:
                raise ValidationError("too long")
            _url_validator(url)
        except ValidationError:
            errors.add(
                "links",
                _("“%(url)s” is not a web address (http:// or https://).") % {"url": url[:100]},
            )
            continue
        if len(title) > MAX_TITLE_LENGTH:
            errors.add(
                "links",
                _("A link's title has at most %(count)d characters.") % {"count": MAX_TITLE_LENGTH},
            )
            continue
        cleaned.append(LinkInput(url, title))
    if len(cleaned) > MAX_LINKS:
        errors.add("links", _("Give at most %(count)d links.") % {"count": MAX_LINKS})
    return cleaned


def _clean_files(files: Sequence[UploadedFile[Any]], errors: FieldErrors) -> None:
    limit = int(settings.PARTA_MAX_UPLOAD_BYTES)
    for upload in files:
        name = os.path.basename(upload.name or "")
        if not name:
            errors.add("files", _("A file has no name."))
        elif extension_of(name) not in ALLOWED_EXTENSIONS:
            errors.add("files", _("Files like “%(name)s” cannot be attached.") % {"name": name[:100]})
        elif (upload.size or 0) > limit:
            errors.add(
                "files",
                _("“%(name)s” is larger than %(size)s.")
                % {"name": name[:100], "size": filesizeformat(limit)},
            )
        elif not content_matches(upload, extension_of(name)):
            errors.add(
                "files", _("%(name)s is not the kind of file its name says it is.") % {"name": name[:100]}
            )


def _clean_due(
    lesson: Lesson, due_on: dt.date | None, errors: FieldErrors
) -> tuple[dt.date | None, Lesson | None]:
    if due_on is None:
        following = next_lesson_date(lesson)
        if following is None:
            errors.add(
                "due_on",
                _("There is no next lesson of this subject in the timetable: choose the date it is due."),
            )
            return None, None
        return following.date, following
    if due_on < lesson.date:
        errors.add("due_on", _("The homework cannot be due before the lesson it is set at."))
    elif due_on > lesson.date + dt.timedelta(days=MAX_DUE_DAYS):
        errors.add(
            "due_on",
            _("The homework can be due at most %(days)d days after the lesson.") % {"days": MAX_DUE_DAYS},
        )
    else:
        return due_on, _due_lesson_on(lesson, due_on)
    return None, None


def _clean_materials(actor: Any, material_ids: Iterable[int], errors: FieldErrors) -> list[Material]:
    """Library materials the actor may open (and so give), in the order given, each once."""
    ids = list(dict.fromkeys(material_ids))
    if len(ids) > MAX_MATERIALS:
        errors.add("materials", _("Give at most %(count)d materials.") % {"count": MAX_MATERIALS})
        return []
    found = (
        {m.pk: m for m in Material.objects.filter(materials_readable_by(actor), pk__in=ids)} if ids else {}
    )
    if len(found) != len(ids):
        errors.add("materials", _("Some of the materials are not in the library or not open to you."))
    return [found[pk] for pk in ids if pk in found]


def _check_lesson(lesson: Lesson, errors: FieldErrors) -> None:
    if lesson.status == Lesson.Status.CANCELLED:
        errors.add("lesson", _("The lesson is cancelled: homework cannot be set at it."))


# --- writes ------------------------------------------------------------------------------


def _save_links(homework: Homework, links: list[LinkInput]) -> None:
    HomeworkLink.objects.bulk_create(
        [HomeworkLink(homework=homework, url=link.url, title=link.title) for link in links]
    )


def _save_files(homework: Homework, files: Sequence[UploadedFile[Any]]) -> None:
    for upload in files:
        name = os.path.basename(upload.name or "")[:MAX_FILE_NAME_LENGTH]
        record = HomeworkFile(homework=homework, name=name, size=upload.size or 0)
        record.file.save(name, upload, save=False)
        record.save()


def material_origin(homework_id: int) -> str:
    """How the library knows what this homework gave (``Assignment.origin``)."""
    return f"homework:{homework_id}"


def _save_materials(actor: Any, homework: Homework, materials: list[Material]) -> None:
    """The homework's materials become exactly these, and so do those given to its class with it."""
    wanted = [m.pk for m in materials]
    rows = HomeworkMaterial.objects.filter(homework=homework)
    rows.exclude(material_id__in=wanted).delete()
    existing = set(rows.values_list("material_id", flat=True))
    origin = material_origin(homework.pk)
    for material in materials:
        if material.pk not in existing:
            HomeworkMaterial.objects.create(homework=homework, material=material)
        material_assign(
            actor,
            material=material,
            school_id=homework.school_id,
            class_group_id=homework.class_group_id,
            origin=origin,
            lesson_id=homework.lesson_id,
        )
    material_unassign(origin=origin, keep=set(wanted))


def _delete_stored(names: list[str]) -> None:
    """Remove stored files once the transaction that dropped their rows has committed."""
    if not names:
        return

    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove)


def _emit(homework: Homework, change: str, actor: Any) -> None:
    emit(
        "homework.set",
        {
            "homework_id": homework.pk,
            "class_group_id": homework.class_group_id,
            "subgroup_id": homework.subgroup_id,
            "subject_id": homework.subject_id,
            "due_on": homework.due_on.isoformat(),
            "change": change,
            "actor_id": actor.pk,
        },
        school_id=homework.school_id,
    )


def homework_set(
    actor: Any,
    *,
    lesson_id: int,
    text: str,
    due_on: dt.date | None = None,
    links: Iterable[LinkLike] = (),
    files: Sequence[UploadedFile[Any]] = (),
    materials: Iterable[int] = (),
) -> Homework:
    """Set homework at a lesson the actor teaches. Without ``due_on`` it is due at the group's
    next lesson of the subject; if the timetable has none, the date must be given. ``materials``:
    ids of library materials the actor may open, given to the class with the homework."""
    lesson = access_lesson_for_homework(actor, lesson_id)
    errors = FieldErrors()
    _check_lesson(lesson, errors)
    text = _clean_text(text, errors)
    clean_links = _clean_links(links, errors)
    files = list(files)
    _clean_files(files, errors)
    if len(files) > MAX_FILES:
        errors.add("files", _("Attach at most %(count)d files.") % {"count": MAX_FILES})
    clean_materials = _clean_materials(actor, materials, errors)
    due, due_lesson = _clean_due(lesson, due_on, errors)
    errors.raise_if_any()
    assert due is not None
    with transaction.atomic():
        homework = Homework.objects.create(
            school_id=lesson.school_id,
            lesson=lesson,
            class_group_id=lesson.class_group_id,
            subgroup_id=lesson.subgroup_id,
            subject_id=lesson.subject_id,
            text=text,
            due_on=due,
            due_lesson=due_lesson,
            created_by=actor,
        )
        _save_links(homework, clean_links)
        _save_files(homework, files)
        _save_materials(actor, homework, clean_materials)
        _emit(homework, "created", actor)
    return homework


def homework_update(
    actor: Any,
    homework_id: int,
    *,
    text: str,
    due_on: dt.date | None,
    links: Iterable[LinkLike] = (),
    files_add: Sequence[UploadedFile[Any]] = (),
    files_remove: Iterable[int] = (),
    materials: Iterable[int] | None = None,
) -> Homework:
    """Change homework the actor may write: the text, the due date (None: the next lesson's),
    the links (replaced by ``links``), files added and removed (by id), the library materials
    (replaced by ``materials``; None keeps them)."""
    homework = access_homework(actor, homework_id, for_write=True)
    lesson = homework.lesson
    errors = FieldErrors()
    text = _clean_text(text, errors)
    clean_links = _clean_links(links, errors)
    files_add = list(files_add)
    _clean_files(files_add, errors)
    existing = dict(HomeworkFile.objects.filter(homework=homework).values_list("pk", "file"))
    remove = set(files_remove)
    if remove - existing.keys():
        errors.add("files_remove", _("Some of the files to remove are not attached to this homework."))
    if len(existing) - len(remove & existing.keys()) + len(files_add) > MAX_FILES:
        errors.add("files", _("Attach at most %(count)d files.") % {"count": MAX_FILES})
    clean_materials = None if materials is None else _clean_materials(actor, materials, errors)
    due, due_lesson = _clean_due(lesson, due_on, errors)
    errors.raise_if_any()
    assert due is not None
    with transaction.atomic():
        homework.text = text
        homework.due_on = due
        homework.due_lesson = due_lesson
        homework.save(update_fields=["text", "due_on", "due_lesson", "updated_at"])
        HomeworkLink.objects.filter(homework=homework).delete()
        _save_links(homework, clean_links)
        if remove:
            HomeworkFile.objects.filter(homework=homework, pk__in=remove).delete()
            _delete_stored([existing[pk] for pk in remove])
        _save_files(homework, files_add)
        if clean_materials is not None:
            _save_materials(actor, homework, clean_materials)
        _emit(homework, "changed", actor)
    return homework


def homework_delete(actor: Any, homework_id: int) -> None:
    """Delete homework the actor may write, with its links, files, materials and ticks."""
    homework = access_homework(actor, homework_id, for_write=True)
    with transaction.atomic():
        names = list(HomeworkFile.objects.filter(homework=homework).values_list("file", flat=True))
        material_unassign(origin=material_origin(homework.pk))
        homework.delete()
        _delete_stored(names)


def homework_done(actor: Any, homework_id: int) -> HomeworkCompletion:
    """The student ticks their homework done; ticking it again changes nothing."""
    homework = access_homework_to_tick(actor, homework_id)
    existing = HomeworkCompletion.objects.filter(homework=homework, student_id=actor.pk).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return HomeworkCompletion.objects.create(
                school_id=homework.school_id, homework=homework, student_id=actor.pk
            )
    except IntegrityError:
        # A second tick raced this one: the first one stands.
        return HomeworkCompletion.objects.get(homework=homework, student_id=actor.pk)


def homework_undone(actor: Any, homework_id: int) -> None:
    """The student takes the tick back; without a tick nothing changes."""
    homework = access_homework_to_tick(actor, homework_id)
    HomeworkCompletion.objects.filter(homework=homework, student_id=actor.pk).delete()
