"""Who may take a test, and who may read and check an attempt.

- A test's questions are changed by whoever may change the material in the library: its author.
- A student takes a test they may open in the library (published for them, or given to their
  class) — for homework, only homework given to them that holds the test.
- Only the student answers and submits their attempt.
- An attempt is read by its student, their guardians, and the staff who read the homework it
  was made for (the lesson's teachers, the class teacher, the school's administrators); an
  attempt made outside homework by its student's class teacher and the school's administrators.
- An answer is checked by the teachers of the homework's lesson and the school's administrators.

Anything else answers 404, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404

from parta.assessment.models import Answer, AnswerFile, Attempt
from parta.core import rows
from parta.homework.access import homework_of_student, homework_readable_by, homework_writable_by
from parta.homework.models import Homework, HomeworkMaterial
from parta.library.access import access_own_material, materials_readable_by
from parta.library.models import Kind, Material
from parta.schools.access import roles_of
from parta.schools.models import ClassGroup, Enrolment


def access_test(user: Any, material_id: int) -> Material:
    """A test the user may open in the library; 404 for anything else."""
    material = Material.objects.filter(materials_readable_by(user), pk=material_id, kind=Kind.TEST).first()
    if material is None:
        raise Http404
    return material


def access_test_to_edit(user: Any, material_id: int, *, lock: bool = False) -> Material:
    """A test the user may change in the constructor: one the library lets them change (its
    author's, ``access_own_material``); 404 for anything else, a material that is no test too."""
    material = access_own_material(user, material_id, lock=lock)
    if material.kind != Kind.TEST:
        raise Http404
    return material


def access_homework_with_test(user: Any, homework_id: int, material_id: int) -> Homework:
    """Homework given to the user as a student that holds the test; 404 otherwise."""
    roles = roles_of(user)
    homework = (
        Homework.objects.select_related("due_lesson")
        .filter(
            homework_of_student(roles.user_id or 0),
            pk=homework_id,
            pk__in=HomeworkMaterial.objects.filter(material_id=material_id).values("homework_id"),
        )
        .first()
    )
    if homework is None:
        raise Http404
    return homework


def student_school_id(user: Any) -> int:
    """The school of the user's class (a test is taken by a student); 404 for anyone else."""
    roles = roles_of(user)
    school_id = (
        ClassGroup.objects.filter(pk__in=roles.student_class_group_ids)
        .values_list("school_id", flat=True)
        .first()
    )
    if school_id is None:
        raise Http404
    return int(school_id)


def attempts_readable_by(user: Any) -> Q:
    """A Q over Attempt: what the user may read (see the module's rules)."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if not roles.user_id:
        return Q(pk__in=[])
    q = Q(student_id__in=roles.child_ids | {roles.user_id})
    if roles.staff_school_ids:
        q |= Q(homework__isnull=False, homework__in=Homework.objects.filter(homework_readable_by(user)))
        q |= Q(homework__isnull=True) & (
            Q(school_id__in=roles.admin_school_ids)
            | Q(
                student_id__in=Enrolment.objects.filter(
                    class_group__class_teacher_id=roles.user_id,
                    class_group__school_id__in=roles.teacher_school_ids,
                ).values("student_id")
            )
        )
    return q


def access_attempt(user: Any, attempt_id: int) -> Attempt:
    """An attempt the user may read; 404 otherwise."""
    attempt = (
        Attempt.objects.select_related("version", "material")
        .filter(attempts_readable_by(user), pk=attempt_id)
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


def access_own_attempt(user: Any, attempt_id: int, *, lock: bool = False, version: bool = True) -> Attempt:
    """The user's own attempt, to answer and submit (locked when ``lock``; with its version's row
    unless ``version`` is false: saving an answer reads the test from ``selectors.version_test``);
    404 for any other, a guardian's or a teacher's view of it included."""
    roles = roles_of(user)
    if not lock:
        # Every answer's save reads its attempt here: by key, the statement built once, since
        # Django building the query took about a third of a save's CPU.
        found = rows.by_key(Attempt, attempt_id, *(("version",) if version else ()))
        if found is None or found.student_id != roles.user_id:
            raise Http404
        return found
    queryset = Attempt.objects.filter(pk=attempt_id, student_id=roles.user_id or 0)
    if version:
        queryset = queryset.select_related("version")
    # Only the attempt's row is locked: the version it joins is every classmate's too.
    attempt = queryset.select_for_update(of=("self",)).first()
    if attempt is None:
        raise Http404
    return attempt


def answers_checkable_by(user: Any) -> Q:
    """A Q over Answer: answers the user may check — of homework set on a lesson they teach, or
    in a school they administer."""
    roles = roles_of(user)
    if roles.is_superuser:
        return Q()
    if not roles.staff_school_ids:
        return Q(pk__in=[])
    taught = Homework.objects.filter(homework_writable_by(user)).values("pk")
    return Q(attempt__school_id__in=roles.admin_school_ids) | Q(attempt__homework__in=taught)


def access_answer_to_check(user: Any, answer_id: int) -> Answer:
    """An answer the user may check, locked with its attempt; 404 otherwise."""
    answer = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("attempt", "attempt__version")
        .filter(answers_checkable_by(user), pk=answer_id)
        .first()
    )
    if answer is None:
        raise Http404
    return answer


def access_answer_file(user: Any, file_id: int) -> AnswerFile:
    """A file of an open answer, to whoever reads its attempt; 404 otherwise."""
    found = AnswerFile.objects.filter(
        attempt__in=Attempt.objects.filter(attempts_readable_by(user)), pk=file_id
    )
    record = found.first()
    if record is None:
        raise Http404
    return record
