from parta.testing import factories as f
from parta.testing.world import MONDAY
from parta.timetable.selectors import lessons_for_student, lessons_for_students


def test_each_student_gets_their_own_class_and_subgroup_lessons(world):
    subgroup = f.SubgroupFactory.create(
        class_group=world.a.group, subject=f.SubjectFactory.create(code="english")
    )
    other_half = f.SubgroupFactory.create(class_group=world.a.group, subject=subgroup.subject, number=2)
    f.SubgroupMembershipFactory.create(subgroup=subgroup, student=world.a.student)
    mine = f.LessonFactory.create(
        assignment=f.TeachingAssignmentFactory.create(
            class_group=world.a.group, subgroup=subgroup, subject=subgroup.subject
        ),
        date=MONDAY,
        number=4,
    )
    f.LessonFactory.create(
        assignment=f.TeachingAssignmentFactory.create(
            class_group=world.a.group, subgroup=other_half, subject=subgroup.subject
        ),
        date=MONDAY,
        number=4,
    )
    ids = [world.a.student.pk, world.a.sibling.pk]
    lessons = lessons_for_students(ids, MONDAY, MONDAY)
    assert [row.id for row in lessons[world.a.student.pk]] == [world.a.lesson.pk, mine.pk]
    assert [row.id for row in lessons[world.a.sibling.pk]] == [world.a.other_lesson.pk]
    assert lessons[world.a.student.pk] == lessons_for_student(world.a.student.pk, MONDAY, MONDAY)


def test_a_familys_lessons_take_three_queries_however_many_children(world, django_assert_num_queries):
    with django_assert_num_queries(3):
        lessons_for_students([world.a.student.pk], MONDAY, MONDAY)
    with django_assert_num_queries(3):
        lessons_for_students([world.a.student.pk, world.a.sibling.pk, world.b.student.pk], MONDAY, MONDAY)
