"""The generated school looks like a real one and the demo accounts are what the README promises."""

import datetime as dt
import json
from collections import Counter, defaultdict

import pytest
from django.contrib.auth.hashers import check_password
from django.db import transaction

from parta.accounts.models import Guardianship, User
from parta.curriculum.models import Topic
from parta.curriculum.services import framework_import
from parta.demo import generator
from parta.demo.generator import DEMO_PASSWORD, framework_load, generate_city
from parta.demo.generator.catalogue import CURRICULUM, PRIMARY_SPECIALISTS, is_split
from parta.schools.access import roles_of
from parta.schools.models import (
    ClassGroup,
    District,
    Enrolment,
    Subgroup,
    SubgroupMembership,
    TeachingAssignment,
)
from parta.timetable.models import Lesson

TODAY = dt.date(2026, 11, 23)


def framework(subject, grade, hours_list):
    prefix = subject[:3].upper()
    return {
        "format": "parta-framework/1",
        "subjects": [
            {
                "code": subject,
                "title_ru": subject,
                "title_en": subject,
                "grades": [
                    {
                        "grade": grade,
                        "sections": [
                            {
                                "code": f"{prefix}-{grade:02d}-01",
                                "title_ru": "Раздел",
                                "title_en": "Section",
                                "topics": [
                                    {
                                        "code": f"{prefix}-{grade:02d}-01-{i:02d}",
                                        "title_ru": f"Тема {i}",
                                        "title_en": f"Topic {i}",
                                        "hours": hours,
                                        "outcomes": [
                                            {
                                                "code": f"{prefix}-{grade:02d}-01-{i:02d}.1",
                                                "text_ru": "Умеет",
                                                "text_en": "Can",
                                            }
                                        ],
                                    }
                                    for i, hours in enumerate(hours_list, start=1)
                                ],
                            }
                        ],
                    }
                ],
            }
        ],
    }


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """One small but whole school (every grade, one class each), made once for this module."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = framework_import([framework("algebra", 7, [2, 3, 200])])
        assert report.ok, report.errors
        yield generate_city(
            schools=1,
            seed=5,
            groups_per_grade=1,
            students_per_group=10,
            today=TODAY,
            load_framework=False,
            demo_accounts=True,
        )
        transaction.set_rollback(True)


@pytest.fixture
def school(city, db):
    return city.schools[0]


def test_the_demo_accounts_have_their_roles(city, db):
    demo, school = city.demo, city.schools[0].school
    assert set(demo) == {"admin", "teacher", "student", "parent", "methodologist", "root"}
    assert {name: user.username for name, user in demo.items()} == {name: name for name in demo}
    assert roles_of(demo["admin"]).admin_school_ids == {school.pk}
    teacher = roles_of(demo["teacher"])
    assert teacher.teacher_school_ids == {school.pk} and not teacher.is_admin
    taught = set(
        TeachingAssignment.objects.filter(teacher=demo["teacher"]).values_list("class_group_id", flat=True)
    )
    assert len(taught) >= 2
    led = ClassGroup.objects.get(class_teacher=demo["teacher"])
    assert led.pk in taught
    assert roles_of(demo["student"]).names == ["student"]
    assert roles_of(demo["methodologist"]).methodologist_city_ids == {city.city.pk}
    assert demo["root"].is_superuser and demo["root"].is_staff


def test_the_demo_parent_has_two_children_in_different_grades(city, db):
    parent, student = city.demo["parent"], city.demo["student"]
    children = roles_of(parent).child_ids
    assert student.pk in children and len(children) == 2
    grades = set(
        Enrolment.objects.filter(student_id__in=children).values_list("class_group__grade", flat=True)
    )
    assert len(grades) == 2
    assert roles_of(parent).names == ["parent"]


def test_everyone_shares_the_demo_password(city, db):
    assert check_password(DEMO_PASSWORD, User.objects.get(username="admin").password)
    assert User.objects.values("password").distinct().count() == 1


def test_every_class_has_a_class_teacher_and_primary_teachers_teach_their_own_class(school):
    for group in ClassGroup.objects.filter(school=school.school):
        assert group.class_teacher_id is not None and group.home_room_id is not None
        taught = TeachingAssignment.objects.filter(class_group=group)
        if group.grade <= 4:
            own = {a.subject.code for a in taught if a.teacher_id == group.class_teacher_id}
            assert own == set(CURRICULUM[group.grade]) - PRIMARY_SPECIALISTS
        else:
            assert taught.filter(teacher_id=group.class_teacher_id).exists()
    buildings = {g.grade <= 4: g.building_id for g in ClassGroup.objects.filter(school=school.school)}
    assert len(set(buildings.values())) == 2


def test_assignments_cover_the_weekly_curriculum(school):
    for group in ClassGroup.objects.filter(school=school.school):
        hours: dict[str, list[int]] = defaultdict(list)
        teachers: dict[str, set[int]] = defaultdict(set)
        for a in TeachingAssignment.objects.filter(class_group=group).select_related("subject"):
            hours[a.subject.code].append(a.hours_per_week)
            teachers[a.subject.code].add(a.teacher_id)
        for code, weekly in CURRICULUM[group.grade].items():
            if is_split(code, group.grade):
                assert hours[code] == [weekly, weekly] and len(teachers[code]) == 2, (group, code)
            else:
                assert hours[code] == [weekly], (group, code)
        assert set(hours) == set(CURRICULUM[group.grade])


def test_split_subjects_divide_every_student_into_one_subgroup(school):
    for subgroup_set in (
        Subgroup.objects.filter(school=school.school).values("class_group_id", "subject_id").distinct()
    ):
        students = set(
            Enrolment.objects.filter(class_group_id=subgroup_set["class_group_id"]).values_list(
                "student_id", flat=True
            )
        )
        members = list(
            SubgroupMembership.objects.filter(
                subgroup__class_group_id=subgroup_set["class_group_id"],
                subgroup__subject_id=subgroup_set["subject_id"],
            ).values_list("student_id", "subgroup__number")
        )
        assert sorted(s for s, _n in members) == sorted(students)
        assert {n for _s, n in members} == {1, 2}


def _same_family(a: str, b: str) -> bool:
    return a == b or a.rstrip("а") == b.rstrip("а") or a[:-2] == b[:-2]


def test_students_have_guardians_who_share_their_surname(school):
    students = Enrolment.objects.filter(school=school.school).values_list("student_id", flat=True)
    links = Guardianship.objects.filter(student_id__in=students).select_related("guardian", "student")
    per_student = Counter(link.student_id for link in links)
    assert set(per_student) == set(students)
    assert set(per_student.values()) <= {1, 2}
    for link in links:
        assert _same_family(link.guardian.last_name, link.student.last_name), (link.guardian, link.student)
        assert link.student.middle_name and link.guardian.middle_name


def test_some_families_have_children_in_different_grades(school):
    grades = dict(
        Enrolment.objects.filter(school=school.school).values_list("student_id", "class_group__grade")
    )
    children: dict[int, set[int]] = defaultdict(set)
    for guardian, student in Guardianship.objects.filter(student_id__in=grades).values_list(
        "guardian_id", "student_id"
    ):
        children[guardian].add(student)
    families = [kids for kids in children.values() if len(kids) == 2]
    assert len(families) >= 2
    assert all(len({grades[kid] for kid in kids}) == 2 for kids in families)


def test_the_study_year_contains_today_with_quarters_and_holidays(school):
    year = school.year
    assert (year.name, year.starts_on, year.ends_on) == (
        "2026/2027",
        dt.date(2026, 9, 1),
        dt.date(2027, 5, 31),
    )
    assert year.starts_on <= TODAY <= year.ends_on
    quarters = list(year.periods.order_by("number").values_list("starts_on", "ends_on"))
    assert len(quarters) == 4 and quarters[0][0] == year.starts_on and quarters[-1][1] == year.ends_on
    assert year.holidays.count() >= 8
    assert school.school.bells.count() == 7


def test_lessons_take_their_topics_from_the_plan(school):
    algebra = TeachingAssignment.objects.get(year=school.year, subject__code="algebra", class_group__grade=7)
    topics = list(
        Lesson.objects.filter(assignment=algebra, status=Lesson.Status.SCHEDULED)
        .order_by("date", "number")
        .values_list("topic__code", flat=True)
    )
    assert topics[:6] == ["ALG-07-01-01"] * 2 + ["ALG-07-01-02"] * 3 + ["ALG-07-01-03"]
    assert algebra.plan.items.count() == 3
    # Subjects without framework topics keep lessons without a topic.
    assert not Lesson.objects.filter(year=school.year, subject__code="music", topic__isnull=False).exists()


def test_there_are_substitutions_and_cancellations_every_week(school):
    lessons = Lesson.objects.filter(year=school.year)
    weeks = {d - dt.timedelta(days=d.weekday()) for d in lessons.values_list("date", flat=True)}
    substituted = lessons.filter(replaced_teacher__isnull=False)
    cancelled = lessons.filter(status=Lesson.Status.CANCELLED)
    assert substituted.count() >= len(weeks)
    assert cancelled.count() == len(weeks)
    assert all(lesson.note for lesson in cancelled)
    assert not cancelled.filter(topic__isnull=False).exists()


def test_the_city_has_its_districts(city, db):
    assert city.city.name == "Москва"
    assert District.objects.filter(city=city.city).count() >= 10


def test_several_schools_get_their_own_names_and_usernames(db):
    result = generate_city(
        schools=2,
        seed=9,
        grades=(5,),
        groups_per_grade=1,
        students_per_group=3,
        today=TODAY,
        load_framework=False,
        with_lessons=False,
    )
    names = {school.school.name for school in result.schools}
    assert len(names) == 2
    assert len({s.school.district_id for s in result.schools}) == 2
    assert User.objects.count() == len(set(User.objects.values_list("username", flat=True)))
    assert not result.demo


def test_framework_load_imports_every_good_file_and_names_the_broken_ones(db, tmp_path, monkeypatch):
    good = tmp_path / "algebra.json"
    good.write_text(json.dumps(framework("algebra", 8, [4])), encoding="utf-8")
    broken = tmp_path / "physics.json"
    broken.write_text("{ not json", encoding="utf-8")
    monkeypatch.setattr(generator, "bundled_framework_files", lambda: [good, broken])
    errors = framework_load()
    assert len(errors) == 1 and "physics.json" in errors[0]
    assert Topic.objects.filter(code="ALG-08-01-01").exists()
