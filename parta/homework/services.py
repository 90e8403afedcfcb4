"""Setting homework on a lesson, changing and deleting it (the students' work on it: ``work``).

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
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from parta.core.errors import FieldErrors
from parta.core.files import content_matches, extension_of, stored_upload
from parta.homework.access import (
    access_homework,
    access_lesson_for_homework,
)
from parta.homework.models import (
    Homework,
    HomeworkFile,
    HomeworkLink,
    HomeworkMaterial,
    HomeworkStudent,
)
from parta.homework.selectors import group_members
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
# Longer than a school day's homework is a typo (minutes for hours).
MAX_MINUTES = 600
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


def clean_files(files: Sequence[UploadedFile[Any]], errors: FieldErrors) -> None:
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


def _clean_minutes(minutes: int | None, errors: FieldErrors) -> int | None:
    if minutes is None:
        return None
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        errors.add("minutes", _("Give the time in minutes, from 1 to %(most)d.") % {"most": MAX_MINUTES})
        return None
    return minutes


def _clean_students(lesson: Lesson, student_ids: Iterable[int], errors: FieldErrors) -> list[int]:
    """Chosen students, each a student of the lesson's group (its subgroup's, for a split lesson)."""
    ids = list(dict.fromkeys(student_ids))
    if not ids:
        return []
    group = group_members(lesson.class_group_id, lesson.subgroup_id)
    found = set(group.filter(student_id__in=ids).values_list("student_id", flat=True))
    if found != set(ids):
        errors.add("students", _("Choose students of the lesson's group."))
    return [pk for pk in ids if pk in found]


def _save_students(homework: Homework, student_ids: list[int]) -> None:
    """The homework is for exactly these students (none: the whole group)."""
    HomeworkStudent.objects.filter(homework=homework).exclude(student_id__in=student_ids).delete()
    HomeworkStudent.objects.bulk_create(
        [HomeworkStudent(homework=homework, student_id=pk) for pk in student_ids], ignore_conflicts=True
    )


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
        stored_upload(HomeworkFile(homework=homework), upload, max_name=MAX_FILE_NAME_LENGTH)


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


def delete_stored(names: list[str]) -> None:
    """Remove stored files once the transaction that dropped their rows has committed."""
    if not names:
        return

    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove)


def _emit(homework: Homework, change: str, actor: Any, student_ids: list[int]) -> None:
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
            # Homework for chosen students tells only them (and their guardians).
            "student_ids": student_ids,
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
    minutes: int | None = None,
    students: Iterable[int] = (),
) -> Homework:
    """Set homework at a lesson the actor teaches. Without ``due_on`` it is due at the group's
    next lesson of the subject; if the timetable has none, the date must be given. ``materials``:
    ids of library materials the actor may open, given to the class with the homework;
    ``minutes``: the time it should take; ``students``: ids of chosen students of the lesson's
    group (none: the whole group)."""
    lesson = access_lesson_for_homework(actor, lesson_id)
    errors = FieldErrors()
    _check_lesson(lesson, errors)
    text = _clean_text(text, errors)
    clean_links = _clean_links(links, errors)
    files = list(files)
    clean_files(files, errors)
    if len(files) > MAX_FILES:
        errors.add("files", _("Attach at most %(count)d files.") % {"count": MAX_FILES})
    clean_materials = _clean_materials(actor, materials, errors)
    clean_minutes = _clean_minutes(minutes, errors)
    chosen = _clean_students(lesson, students, errors)
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
            minutes=clean_minutes,
            chosen=bool(chosen),
            created_by=actor,
        )
        _save_students(homework, chosen)
        _save_links(homework, clean_links)
        _save_files(homework, files)
        _save_materials(actor, homework, clean_materials)
        _emit(homework, "created", actor, chosen)
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
    minutes: int | None = None,
    students: Iterable[int] | None = None,
) -> Homework:
    """Change homework the actor may write: the text, the due date (None: the next lesson's),
    the links (replaced by ``links``), files added and removed (by id), the library materials
    (replaced by ``materials``; None keeps them), the time it should take, the chosen students
    (replaced by ``students``: empty for the whole group; None keeps them)."""
    homework = access_homework(actor, homework_id, for_write=True)
    lesson = homework.lesson
    errors = FieldErrors()
    text = _clean_text(text, errors)
    clean_links = _clean_links(links, errors)
    files_add = list(files_add)
    clean_files(files_add, errors)
    existing = dict(HomeworkFile.objects.filter(homework=homework).values_list("pk", "file"))
    remove = set(files_remove)
    if remove - existing.keys():
        errors.add("files_remove", _("Some of the files to remove are not attached to this homework."))
    if len(existing) - len(remove & existing.keys()) + len(files_add) > MAX_FILES:
        errors.add("files", _("Attach at most %(count)d files.") % {"count": MAX_FILES})
    clean_materials = None if materials is None else _clean_materials(actor, materials, errors)
    clean_minutes = _clean_minutes(minutes, errors)
    chosen = None if students is None else _clean_students(lesson, students, errors)
    due, due_lesson = _clean_due(lesson, due_on, errors)
    errors.raise_if_any()
    assert due is not None
    with transaction.atomic():
        homework.text = text
        homework.due_on = due
        homework.due_lesson = due_lesson
        homework.minutes = clean_minutes
        fields = ["text", "due_on", "due_lesson", "minutes", "updated_at"]
        if chosen is not None:
            homework.chosen = bool(chosen)
            fields.append("chosen")
            _save_students(homework, chosen)
        homework.save(update_fields=fields)
        HomeworkLink.objects.filter(homework=homework).delete()
        _save_links(homework, clean_links)
        if remove:
            HomeworkFile.objects.filter(homework=homework, pk__in=remove).delete()
            delete_stored([existing[pk] for pk in remove])
        _save_files(homework, files_add)
        if clean_materials is not None:
            _save_materials(actor, homework, clean_materials)
        student_ids = (
            chosen
            if chosen is not None
            else list(HomeworkStudent.objects.filter(homework=homework).values_list("student_id", flat=True))
        )
        _emit(homework, "changed", actor, student_ids)
    return homework


def homework_delete(actor: Any, homework_id: int) -> None:
    """Delete homework the actor may write, with its links, files, materials and ticks."""
    homework = access_homework(actor, homework_id, for_write=True)
    with transaction.atomic():
        names = list(HomeworkFile.objects.filter(homework=homework).values_list("file", flat=True))
        material_unassign(origin=material_origin(homework.pk))
        homework.delete()
        delete_stored(names)
