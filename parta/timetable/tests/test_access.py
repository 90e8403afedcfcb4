"""Who teaches a lesson (``teaches_lesson``, ``lessons_taught_by``), tested directly: the apps above
use it for every journal and homework write (issue 17, item 11: mutation testing found it covered
only through them)."""

from parta.testing import factories as f
from parta.timetable.access import lessons_taught_by, teaches_lesson
from parta.timetable.models import Lesson
from parta.timetable.services import lesson_substitute


def test_the_lessons_teacher_and_the_assignments_teacher_teach_it_nobody_else(world):
    lesson = Lesson.objects.select_related("assignment").get(pk=world.a.lesson.pk)
    lesson_substitute(actor=world.a.admin, lesson=lesson, teacher=world.a.class_teacher)
    lesson = Lesson.objects.select_related("assignment").get(pk=lesson.pk)
    root = f.UserFactory.create(is_superuser=True)
    teaching = {world.a.class_teacher, world.a.subject_teacher, root}  # the substitute, the planned one
    for user in (
        *teaching,
        world.a.admin,
        world.a.parent,
        world.a.student,
        world.b.subject_teacher,
        world.outsider,
    ):
        assert teaches_lesson(user, lesson) == (user in teaching), user.username
        taught = Lesson.objects.filter(lessons_taught_by(user), pk=lesson.pk).exists()
        assert taught == (user in teaching), user.username


def test_a_teacher_who_left_the_school_no_longer_teaches_its_lessons(world):
    from parta.schools.models import StaffMembership

    StaffMembership.objects.filter(user=world.a.subject_teacher, school=world.a.school).delete()
    lesson = Lesson.objects.select_related("assignment").get(pk=world.a.lesson.pk)
    teacher = type(world.a.subject_teacher).objects.get(pk=world.a.subject_teacher.pk)  # roles read afresh
    assert not teaches_lesson(teacher, lesson)
    assert not Lesson.objects.filter(lessons_taught_by(teacher, prefix=""), pk=lesson.pk).exists()
