"""The attendance event on a change, end to end (issue 17, item 11): the journal's write, the
outbox, the messaging handler. Changing absent → late tells the family once, as the new status;
rewriting the same status tells nobody."""

from __future__ import annotations

from typing import Any

from parta.journal import services
from parta.messaging.models import Notification
from parta.testing.world import World


def notices(user: Any) -> list[str | None]:
    """The attendance status each of the user's notifications tells, oldest first."""
    return [note.payload.get("status") for note in Notification.objects.filter(recipient=user).order_by("pk")]


def test_changing_absent_to_late_tells_the_family_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    a = world.a

    def set_status(status: str, version: int | None) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return services.attendance_set(
                a.subject_teacher,
                lesson_id=a.lesson.pk,
                student_id=a.student.pk,
                status=status,
                version=version,
            )

    entry = set_status("absent", None)
    assert [len(notices(person)) for person in (a.student, a.parent)] == [1, 1]
    entry = set_status("late", entry.version)
    for person in (a.student, a.parent):
        assert notices(person) == ["absent", "late"]
    # The same status again changes nothing and tells nobody.
    set_status("late", entry.version)
    assert [len(notices(person)) for person in (a.student, a.parent)] == [2, 2]
    # The other family of the class group, and the teachers, hear nothing of it.
    for stranger in (a.classmate, a.classmate_parent, a.sibling, a.subject_teacher, world.b.parent):
        assert notices(stranger) == []
