import pytest
from django.http import Http404

from parta.curriculum.access import access_thematic_plan
from parta.curriculum.services import thematic_plan_build_default
from parta.schools.access import access_child, access_class_group, access_person, access_school, roles_of
from parta.schools.models import CityRole, StaffMembership
from parta.testing import factories as f


def test_roles_are_read_from_memberships(world):
    assert roles_of(world.a.admin).names == ["admin"]
    assert roles_of(world.a.class_teacher).names == ["teacher"]
    assert roles_of(world.a.parent).names == ["parent"]
    assert roles_of(world.a.student).names == ["student"]
    assert roles_of(world.methodologist).names == ["methodologist"]
    assert roles_of(world.outsider).names == []


def test_roles_are_read_in_one_query_and_once_per_request(world, django_assert_num_queries):
    """A user who is everything at once: every relation lands in its own set."""
    user = type(world.a.parent).objects.get(pk=world.a.parent.pk)
    f.StaffMembershipFactory.create(user=user, school=world.a.school, role=StaffMembership.Role.ADMIN)
    f.StaffMembershipFactory.create(user=user, school=world.b.school, role=StaffMembership.Role.TEACHER)
    CityRole.objects.create(city=world.a.school.city, user=user, role=CityRole.Role.METHODOLOGIST)
    f.EnrolmentFactory.create(student=user, class_group=world.b.group)
    with django_assert_num_queries(1):
        roles = roles_of(user)
        assert roles_of(user) is roles
    assert roles.admin_school_ids == {world.a.school.pk}
    assert roles.teacher_school_ids == {world.b.school.pk}
    assert roles.methodologist_city_ids == {world.a.school.city_id}
    assert roles.child_ids == {world.a.student.pk, world.a.sibling.pk}
    assert roles.student_class_group_ids == {world.b.group.pk}
    assert roles.names == ["admin", "teacher", "methodologist", "parent", "student"]


def test_parent_reaches_own_children_only(world):
    assert access_child(world.a.parent, world.a.student.pk) == world.a.student
    assert access_child(world.a.parent, world.a.sibling.pk) == world.a.sibling
    with pytest.raises(Http404):
        access_child(world.a.parent, world.b.student.pk)
    with pytest.raises(Http404):
        access_child(world.b.parent, world.a.student.pk)


def test_student_is_not_a_guardian_of_their_sibling(world):
    with pytest.raises(Http404):
        access_child(world.a.student, world.a.sibling.pk)


def test_teacher_reaches_the_class_groups_they_teach(world):
    assert access_class_group(world.a.subject_teacher, world.a.group.pk) == world.a.group
    with pytest.raises(Http404):
        access_class_group(world.a.subject_teacher, world.a.other_group.pk)
    with pytest.raises(Http404):
        access_class_group(world.a.subject_teacher, world.b.group.pk)


def test_teacher_sees_students_of_their_classes_and_colleagues(world):
    assert access_person(world.a.subject_teacher, world.a.student.pk) == world.a.student
    assert access_person(world.a.subject_teacher, world.a.admin.pk) == world.a.admin
    with pytest.raises(Http404):
        access_person(world.a.subject_teacher, world.a.sibling.pk)
    with pytest.raises(Http404):
        access_person(world.a.subject_teacher, world.b.student.pk)


def test_yourself_and_your_children_cost_no_access_query(world, django_assert_num_queries):
    parent = type(world.a.parent).objects.get(pk=world.a.parent.pk)
    roles_of(parent)
    with django_assert_num_queries(0):
        assert access_person(parent, parent.pk) is parent
    with django_assert_num_queries(1):  # the child itself, by its key
        assert access_person(parent, world.a.student.pk) == world.a.student
    with pytest.raises(Http404):
        access_person(parent, world.b.student.pk)
    # A deactivated child is not reached; nor is a deactivated user themself.
    type(parent).objects.filter(pk=world.a.sibling.pk).update(is_active=False)
    with pytest.raises(Http404):
        access_person(parent, world.a.sibling.pk)
    type(parent).objects.filter(pk=parent.pk).update(is_active=False)
    parent.is_active = False
    with pytest.raises(Http404):
        access_person(parent, parent.pk)


def test_admin_reaches_own_school_only(world):
    assert access_school(world.a.admin, world.a.school.pk, for_admin=True) == world.a.school
    assert access_class_group(world.a.admin, world.a.other_group.pk) == world.a.other_group
    with pytest.raises(Http404):
        access_school(world.a.admin, world.b.school.pk)
    with pytest.raises(Http404):
        access_class_group(world.a.admin, world.b.group.pk)
    with pytest.raises(Http404):
        access_person(world.a.admin, world.b.student.pk)


def test_teacher_is_not_an_admin(world):
    with pytest.raises(Http404):
        access_school(world.a.class_teacher, world.a.school.pk, for_admin=True)


def test_outsider_reaches_nothing(world):
    with pytest.raises(Http404):
        access_school(world.outsider, world.a.school.pk)
    with pytest.raises(Http404):
        access_class_group(world.outsider, world.a.group.pk)
    with pytest.raises(Http404):
        access_person(world.outsider, world.a.student.pk)
    with pytest.raises(Http404):
        access_child(world.outsider, world.a.student.pk)


def test_methodologist_reads_the_city_schools_but_not_people(world):
    assert access_school(world.methodologist, world.b.school.pk) == world.b.school
    with pytest.raises(Http404):
        access_person(world.methodologist, world.a.student.pk)


def test_a_teacher_who_is_a_parent_elsewhere_does_not_reach_the_childs_classmates(world):
    f.GuardianshipFactory.create(guardian=world.a.subject_teacher, student=world.b.student)
    classmate = f.EnrolmentFactory.create(class_group=world.b.group).student
    assert access_person(world.a.subject_teacher, world.b.student.pk) == world.b.student
    with pytest.raises(Http404):
        access_person(world.a.subject_teacher, classmate.pk)


def test_a_teacher_who_left_the_school_loses_its_classes(world):
    plan = thematic_plan_build_default(world.a.assignment)
    StaffMembership.objects.filter(user=world.a.subject_teacher, school=world.a.school).delete()
    teacher = type(world.a.subject_teacher).objects.get(pk=world.a.subject_teacher.pk)
    with pytest.raises(Http404):
        access_class_group(teacher, world.a.group.pk)
    with pytest.raises(Http404):
        access_person(teacher, world.a.student.pk)
    with pytest.raises(Http404):
        access_thematic_plan(teacher, plan.pk)


def test_a_former_class_teacher_loses_the_homeroom(world):
    StaffMembership.objects.filter(user=world.a.class_teacher).delete()
    teacher = type(world.a.class_teacher).objects.get(pk=world.a.class_teacher.pk)
    with pytest.raises(Http404):
        access_class_group(teacher, world.a.group.pk)


# --- closing what mutation testing found untested (issue 17, item 11) ------------------------


def test_an_anonymous_user_has_no_role_and_reaches_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    from parta.schools.access import class_groups_readable_by, people_readable_by, schools_readable_by
    from parta.schools.models import ClassGroup, School

    anonymous = AnonymousUser()
    roles = roles_of(anonymous)
    assert (roles.user_id, roles.is_superuser, roles.names) == (0, False, [])
    assert not School.objects.filter(schools_readable_by(anonymous)).exists()
    assert not ClassGroup.objects.filter(class_groups_readable_by(anonymous)).exists()
    assert not type(world.a.student).objects.filter(people_readable_by(anonymous)).exists()
    with pytest.raises(Http404):
        access_school(anonymous, world.a.school.pk)


def test_families_read_the_school_of_their_own_children_only(world):
    from parta.schools.access import schools_readable_by
    from parta.schools.models import School

    def readable(user):
        return set(School.objects.filter(schools_readable_by(user)).values_list("pk", flat=True))

    # Neither is staff: the school is reached through the student's own enrolment or a child's.
    assert readable(world.a.student) == {world.a.school.pk}
    assert readable(world.a.classmate_parent) == {world.a.school.pk}
    assert readable(world.b.parent) == {world.b.school.pk}
    assert readable(world.outsider) == set()


def test_readable_class_group_ids_keeps_only_the_readable_ones(world):
    from parta.schools.access import readable_class_group_ids

    ids = {world.a.group.pk, world.a.other_group.pk, world.b.group.pk}
    assert readable_class_group_ids(world.a.classmate_parent, ids) == {world.a.group.pk}
    assert readable_class_group_ids(world.a.subject_teacher, ids) == {world.a.group.pk}
    assert readable_class_group_ids(world.a.admin, ids) == {world.a.group.pk, world.a.other_group.pk}
    assert readable_class_group_ids(world.outsider, ids) == set()


def test_people_readable_by_holds_yourself_and_your_children_for_families_and_staff(world):
    """``people_readable_by`` (the /me children list, a class list) always holds the user and their
    children: a parent's, and a teacher's whose child is at another school."""
    from parta.schools.access import people_readable_by

    def readable(user):
        return set(type(user).objects.filter(people_readable_by(user)).values_list("pk", flat=True))

    a = world.a
    assert readable(a.parent) == {a.parent.pk, a.student.pk, a.sibling.pk}
    f.GuardianshipFactory.create(guardian=a.subject_teacher, student=world.b.student)
    teacher = type(a.subject_teacher).objects.get(pk=a.subject_teacher.pk)
    assert {teacher.pk, world.b.student.pk, a.student.pk, a.classmate.pk, a.admin.pk} <= readable(teacher)
    assert world.b.classmate.pk not in readable(teacher)


def test_readable_staff_ids_opens_colleagues_to_staff_and_no_one_to_families(world):
    """The timetable links a teacher's name only where the viewer may open that teacher's page:
    staff their school's colleagues, a superuser anyone, a family no one."""
    from parta.schools.access import readable_staff_ids

    a, b = world.a, world.b
    teachers = {a.class_teacher.pk, a.subject_teacher.pk, b.class_teacher.pk}
    assert readable_staff_ids(a.subject_teacher, teachers) == {a.class_teacher.pk, a.subject_teacher.pk}
    assert readable_staff_ids(a.admin, teachers) == {a.class_teacher.pk, a.subject_teacher.pk}
    assert readable_staff_ids(f.UserFactory.create(is_superuser=True), teachers) == teachers
    for family in (a.parent, a.student, world.outsider):
        assert readable_staff_ids(family, teachers) == set()


def test_a_family_reads_all_of_its_records_and_staff_only_their_schools(world):
    """``person_school_scope``: the person, their guardians and superusers read every school's
    records (None); a teacher only their own schools'."""
    from parta.schools.access import is_self_or_child, person_school_scope

    a = world.a
    assert is_self_or_child(a.parent, a.student.pk) and is_self_or_child(a.student, a.student.pk)
    assert not is_self_or_child(a.student, a.sibling.pk)
    assert not is_self_or_child(a.class_teacher, a.student.pk)
    assert person_school_scope(a.parent, a.student.pk) is None
    assert person_school_scope(a.student, a.student.pk) is None
    assert person_school_scope(f.UserFactory.create(is_superuser=True), a.student.pk) is None
    assert person_school_scope(a.class_teacher, a.student.pk) == frozenset({a.school.pk})


def test_the_family_view_opens_for_the_student_themself_but_not_for_their_teacher(world):
    """``access_child``: the student and their guardians, not staff who may read the student otherwise."""
    assert access_child(world.a.student, world.a.student.pk) == world.a.student
    with pytest.raises(Http404):
        access_child(world.a.class_teacher, world.a.student.pk)
