"""Publishing from the administrator's page: a publication row, the task that does the work, and
its progress.

The progress lives in the cache while the task runs (``parta.core.progress``); the row gets the
final status and what publishing did, and stays as the timetable's history.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parta.core.progress import progress_read, progress_write
from parta.schools.access import access_school
from parta.schools.models import AcademicYear
from parta.timetable.models import Publication, TemplateSlot
from parta.timetable.services.lessons import lessons_assign_topics_for_year, timetable_publish

log = logging.getLogger(__name__)
FINISHED = (Publication.Status.DONE, Publication.Status.FAILED)


def _progress_key(publication_id: int) -> str:
    return f"parta:timetable:publication:{publication_id}:progress"


def publication_progress(publication: Publication) -> int:
    """How far publishing is, in per cent."""
    return 100 if publication.status in FINISHED else progress_read(_progress_key(publication.pk))


@transaction.atomic
def publication_start(*, actor: Any, year: AcademicYear, since: dt.date) -> Publication:
    """An administrator publishes the year's template from a date: the row, and the task queued
    once it is committed. The date lies within the year and not in the past."""
    from parta.timetable.tasks import publication_task

    school = access_school(actor, year.school_id, for_admin=True)
    if year.school_id != school.pk:
        raise ValidationError({"year": [_("Choose a year of this school.")]})
    today = timezone.localdate()
    if since < today:
        raise ValidationError(
            {"since": [_("Lessons in the past are not remade: choose today or a later day.")]}
        )
    if not year.starts_on <= since <= year.ends_on:
        raise ValidationError(
            {
                "since": [
                    _("Choose a day from %(start)s to %(end)s.")
                    % {"start": f"{year.starts_on:%d.%m.%Y}", "end": f"{year.ends_on:%d.%m.%Y}"}
                ]
            }
        )
    if not TemplateSlot.objects.filter(year=year).exists():
        raise ValidationError({"since": [_("The year has no weekly timetable yet: draft it first.")]})
    if Publication.objects.filter(
        year=year, status__in=[Publication.Status.QUEUED, Publication.Status.RUNNING]
    ).exists():
        raise ValidationError(
            {"since": [_("The timetable is being published already; wait until it is done.")]}
        )
    publication = Publication.objects.create(school=school, year=year, started_by=actor, since=since)
    transaction.on_commit(lambda: publication_task.delay(publication.pk))
    return publication


def publication_execute(publication_id: int) -> None:
    """The task's work: publish, assign the lessons' topics from the thematic plans, keep the result."""
    publication = Publication.objects.select_related("year").filter(pk=publication_id).first()
    if publication is None or publication.status != Publication.Status.QUEUED:
        return
    Publication.objects.filter(pk=publication.pk).update(status=Publication.Status.RUNNING)
    outcome: dict[str, Any]
    try:
        with transaction.atomic():
            result = timetable_publish(
                year=publication.year,
                since=publication.since,
                progress=lambda done, total: progress_write(_progress_key(publication.pk), done, total),
            )
            lessons_assign_topics_for_year(year=publication.year, since=publication.since)
        status, outcome = Publication.Status.DONE, dict(result.as_dict())
    except ValidationError as error:
        status, outcome = Publication.Status.FAILED, {"errors": error.messages}
    except Exception:
        log.exception("timetable: publication %s failed", publication.pk)
        status = Publication.Status.FAILED
        outcome = {
            "errors": [_("Publishing failed; nothing was changed. The operator has the details in the log.")]
        }
    Publication.objects.filter(pk=publication.pk).update(
        status=status, result=outcome, finished_at=timezone.now()
    )
