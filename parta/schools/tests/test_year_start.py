"""Starting the next academic year from the study periods page: dates and periods a year on, the
class groups a grade up with their students, the teachers kept if asked; bad input writes nothing;
only the school's administrator may."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from parta.schools import services
from parta.schools.models import AcademicYear, ClassGroup, Enrolment, Holiday, StudyPeriod, TeachingAssignment
from parta.schools.tests.test_structure_pages import EVERYONE
from parta.testing import factories as f

NEXT: dict[str, Any] = {
    "name": "2027/2028",
    "starts_on": dt.date(2027, 9, 1),
    "ends_on": dt.date(2028, 5, 31),
}


def _start(world, **changes):
    return services.year_start(actor=world.a.admin, school=world.a.school, **(NEXT | changes))


def test_the_next_year_carries_the_calendar_and_moves_the_classes_up(world):
    a = world.a
    Holiday.objects.create(
        school=a.school,
        year=a.group.year,
        name="Осенние каникулы",
        starts_on=dt.date(2026, 10, 26),
        ends_on=dt.date(2026, 11, 3),
    )
    eleventh = f.ClassGroupFactory.create(year=a.group.year, building=a.group.building, grade=11, letter="А")
    f.EnrolmentFactory.create(class_group=eleventh, student=f.UserFactory.create())
    started = _start(world, keep_assignments=True)
    year = started.year
    assert (started.periods, started.holidays, started.class_groups) == (1, 1, 2)
    assert (started.students, started.graduates) == (3, 1)  # 7А two, 9Б one; 11А one graduates
    old_period = StudyPeriod.objects.get(year=a.group.year)
    new_period = StudyPeriod.objects.get(year=year)
    assert (new_period.kind, new_period.number) == (old_period.kind, old_period.number)
    assert new_period.starts_on == old_period.starts_on.replace(year=old_period.starts_on.year + 1)
    assert Holiday.objects.get(year=year).starts_on == dt.date(2027, 10, 26)
    eighth = ClassGroup.objects.get(year=year, grade=8, letter="А")
    assert (eighth.class_teacher_id, eighth.building_id) == (a.group.class_teacher_id, a.group.building_id)
    assert set(Enrolment.objects.filter(class_group=eighth).values_list("student_id", flat=True)) == {
        a.student.pk,
        a.classmate.pk,
    }
    assert not ClassGroup.objects.filter(year=year, grade=12).exists()  # grade 11 graduated
    kept = TeachingAssignment.objects.filter(class_group=eighth).values_list("subject__code", "teacher_id")
    assert set(kept) == {("algebra", a.subject_teacher.pk), ("russian", a.class_teacher.pk)}
    assert started.assignments == 3  # the 7А's two and the 9Б's one; the 11А had none
    # Nothing of the earlier year changed.
    assert Enrolment.objects.filter(class_group=a.group).count() == 2


def test_without_promotion_the_year_has_its_calendar_only(world):
    started = _start(world, promote=False, keep_assignments=True)
    assert (started.class_groups, started.students, started.assignments) == (0, 0, 0)
    assert not ClassGroup.objects.filter(year=started.year).exists()


def test_a_teacher_who_left_is_not_kept(world):
    a = world.a
    a.school.staff.filter(user=a.subject_teacher).delete()
    started = _start(world, keep_assignments=True)
    eighth = ClassGroup.objects.get(year=started.year, grade=8)
    assert list(
        TeachingAssignment.objects.filter(class_group=eighth).values_list("subject__code", flat=True)
    ) == ["russian"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "2026/2027"}, "name"),  # the year there is
        ({"name": "x" * 21}, "name"),
        ({"ends_on": dt.date(2027, 8, 1)}, "ends_on"),
        ({"ends_on": dt.date(2028, 12, 31)}, "ends_on"),
        ({"starts_on": dt.date(2027, 5, 1), "ends_on": dt.date(2028, 4, 30)}, "starts_on"),  # overlaps
    ],
)
def test_bad_input_writes_nothing(world, changes, field):
    years, groups = AcademicYear.objects.count(), ClassGroup.objects.count()
    with pytest.raises(ValidationError) as caught:
        _start(world, **changes)
    assert field in caught.value.message_dict
    assert (AcademicYear.objects.count(), ClassGroup.objects.count()) == (years, groups)


@pytest.mark.parametrize("actor", EVERYONE)
def test_only_the_schools_admin_opens_the_page_or_starts_a_year(world, client, actor):
    client.force_login(attrgetter(actor)(world))
    url = f"/school/{world.a.school.pk}/years/new/"
    allowed = actor == "a.admin"
    assert client.get(url).status_code == (200 if allowed else 404)
    if not allowed:
        data = {k: str(v) for k, v in NEXT.items()} | {"promote": "on"}
        assert client.post(url, data).status_code == 404
        assert not AcademicYear.objects.filter(name="2027/2028").exists()


def test_the_page_starts_the_year_and_shows_a_refusal_in_place(world, client):
    client.force_login(world.a.admin)
    url = f"/school/{world.a.school.pk}/years/new/"
    page = client.get(url).content.decode()
    assert 'value="2027/2028"' in page and 'value="2027-09-01"' in page  # the defaults, a year on
    bad = client.post(url, {"name": "2027/2028", "starts_on": "2027-09-01", "ends_on": "2027-08-01"})
    assert bad.status_code == 400 and "The year must end after it starts." in bad.content.decode()
    response = client.post(
        url, {"name": "2027/2028", "starts_on": "2027-09-01", "ends_on": "2028-05-31", "promote": "on"}
    )
    year = AcademicYear.objects.get(school=world.a.school, name="2027/2028")
    assert response.status_code == 302 and response["Location"].endswith(f"?year={year.pk}")
    assert ClassGroup.objects.filter(year=year).count() == 2
    assert not TeachingAssignment.objects.filter(year=year).exists()  # "keep the teachers" was unticked
