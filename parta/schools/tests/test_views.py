import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from parta.accounts.models import Guardianship, User
from parta.schools.models import AcademicYear, ClassGroup, Enrolment, StudyPeriod, TeachingAssignment
from parta.testing import factories as f


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def admin_client(client, world):
    client.force_login(world.a.admin)
    return client


def pages(world):
    school = world.a.school.pk
    period = StudyPeriod.objects.get(school=world.a.school)
    return [
        reverse("school-classes", args=[school]),
        reverse("school-class-new", args=[school]),
        reverse("school-class", args=[school, world.a.group.pk]),
        reverse("school-class-enrol", args=[school, world.a.group.pk]),
        reverse("school-guardian-invite", args=[school, world.a.group.pk]),
        reverse("school-staff", args=[school]),
        reverse("school-sign-in", args=[school]),
        reverse("school-assignments", args=[school]),
        reverse("school-assignment-new", args=[school]),
        reverse("school-periods", args=[school]),
        reverse("school-period-new", args=[school]),
        reverse("school-period-edit", args=[school, period.pk]),
    ]


# --- access -------------------------------------------------------------------------------


def test_every_page_opens_for_the_schools_admin(world, en):
    en.force_login(world.a.admin)
    for url in pages(world):
        assert en.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "who",
    ["b.admin", "a.class_teacher", "a.subject_teacher", "a.parent", "a.student", "outsider", "methodologist"],
)
def test_every_page_is_404_for_anyone_else(world, en, who):
    user = (
        getattr(getattr(world, who.split(".")[0]), who.split(".")[1]) if "." in who else getattr(world, who)
    )
    en.force_login(user)
    for url in pages(world):
        assert en.get(url).status_code == 404, url
        assert en.post(url, {}).status_code == 404, url


def test_anonymous_is_sent_to_login(world, client):
    for url in [*pages(world), reverse("school")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_another_schools_class_group_is_not_found_under_this_school(world, en):
    en.force_login(world.a.admin)
    url = reverse("school-class", args=[world.a.school.pk, world.b.group.pk])
    assert en.get(url).status_code == 404
    # Nor is this school's group under the other school's address for the other admin.
    en.force_login(world.b.admin)
    assert en.get(reverse("school-class", args=[world.b.school.pk, world.a.group.pk])).status_code == 404


def test_another_schools_period_cannot_be_edited(world, en):
    en.force_login(world.a.admin)
    period = StudyPeriod.objects.get(school=world.b.school)
    assert en.get(reverse("school-period-edit", args=[world.a.school.pk, period.pk])).status_code == 404


def test_school_entry_point_redirects_the_admin(world, client):
    client.force_login(world.a.admin)
    response = client.get(reverse("school"))
    assert response["Location"] == reverse("school-classes", args=[world.a.school.pk])
    client.force_login(world.a.class_teacher)
    assert client.get(reverse("school")).status_code == 404


# --- what the pages show ------------------------------------------------------------------


def test_class_groups_list(world, en):
    f.EnrolmentFactory(class_group=world.a.group)
    response = admin_client(en, world).get(reverse("school-classes", args=[world.a.school.pk]))
    rows = {row.name: row for row in response.context["groups"]}
    assert set(rows) == {"7А", "9Б"}
    assert rows["7А"].student_count == 3  # the student, the classmate and the one enrolled here
    assert rows["7А"].class_teacher == world.a.class_teacher.short_name
    body = response.content.decode()
    assert world.a.group.building.name in body
    assert "Grade 7" in body


def test_class_group_page_shows_students_guardians_contacts_and_subgroups(world, en):
    world.a.parent.email = "parent@example.org"
    world.a.parent.save(update_fields=["email"])
    subgroup = f.SubgroupFactory.create(
        class_group=world.a.group, subject=f.SubjectFactory(code="english", name_en="English")
    )
    f.SubgroupMembershipFactory(subgroup=subgroup, student=world.a.student)
    response = admin_client(en, world).get(
        reverse("school-class", args=[world.a.school.pk, world.a.group.pk])
    )
    body = response.content.decode()
    assert world.a.student.full_name in body
    assert world.a.parent.full_name in body
    assert "parent@example.org" in body
    assert "(mother)" in body
    assert "7А/1" in body
    # Only this class's students: the sibling is in 9Б.
    assert world.a.sibling.full_name not in body


@pytest.mark.parametrize(
    ("name", "label"), [("204а", "· room 204а"), ("Спортивный зал 1", "· Спортивный зал 1")]
)
def test_class_group_page_shows_the_home_room_label(world, en, name, label):
    room = f.RoomFactory.create(school=world.a.school, building=world.a.group.building, name=name)
    ClassGroup.objects.filter(pk=world.a.group.pk).update(home_room=room)
    response = admin_client(en, world).get(
        reverse("school-class", args=[world.a.school.pk, world.a.group.pk])
    )
    body = response.content.decode()
    assert label in body
    assert "room Спортивный" not in body


def test_staff_page_shows_assignments_and_weekly_hours(world, en):
    response = admin_client(en, world).get(reverse("school-staff", args=[world.a.school.pk]))
    teachers = {t.id: t for t in response.context["staff"].teachers}
    assert set(teachers) == {world.a.class_teacher.pk, world.a.subject_teacher.pk}
    assert teachers[world.a.class_teacher.pk].hours_per_week == 4  # Russian 7А + Algebra 9Б
    assert teachers[world.a.class_teacher.pk].homeroom == ["7А"]
    assert [a.id for a in response.context["staff"].admins] == [world.a.admin.pk]


def test_assignments_page_lists_the_years_assignments(world, en):
    response = admin_client(en, world).get(reverse("school-assignments", args=[world.a.school.pk]))
    assert len(response.context["assignments"]) == 3
    assert response.context["total_hours"] == 6


def test_periods_page_shows_periods_and_holidays(world, en):
    from parta.schools.models import Holiday

    year = world.a.group.year
    Holiday.objects.create(
        school=world.a.school,
        year=year,
        name="Autumn break",
        starts_on=dt.date(2026, 10, 26),
        ends_on=dt.date(2026, 11, 3),
    )
    response = admin_client(en, world).get(reverse("school-periods", args=[world.a.school.pk]))
    body = response.content.decode()
    assert "Autumn break" in body
    assert "24 October" in body
    period = year.periods.get()
    assert reverse("school-period-close", args=[world.a.school.pk, period.pk]) in body
    assert reverse("school-journal-history", args=[world.a.school.pk]) in body


def test_a_year_can_be_picked(world, en):
    old = AcademicYear.objects.create(
        school=world.a.school, name="2025/2026", starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 5, 31)
    )
    f.ClassGroupFactory(year=old, building=world.a.group.building, grade=6, letter="А")
    client = admin_client(en, world)
    url = reverse("school-classes", args=[world.a.school.pk])
    assert {g.name for g in client.get(url).context["groups"]} == {"7А", "9Б"}
    assert {g.name for g in client.get(url, {"year": old.pk}).context["groups"]} == {"6А"}
    # Another school's year id is ignored: the current year is shown.
    other_year = world.b.group.year_id
    assert {g.name for g in client.get(url, {"year": other_year}).context["groups"]} == {"7А", "9Б"}


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 30, "-1", "0", " 1", "1e3"])
def test_a_bad_year_in_the_address_is_ignored(world, en, value):
    # «²» passes str.isdigit() but not int(); a huge number would overflow the database.
    url = reverse("school-classes", args=[world.a.school.pk])
    response = admin_client(en, world).get(url, {"year": value})
    assert response.status_code == 200
    assert response.context["year"] == world.a.group.year


# --- forms --------------------------------------------------------------------------------


def class_form(world, **overrides):
    data = {"year": world.a.group.year_id, "grade": 5, "letter": "Б", "building": world.a.group.building_id}
    return data | overrides


def test_create_a_class_group(world, en):
    client = admin_client(en, world)
    response = client.post(reverse("school-class-new", args=[world.a.school.pk]), class_form(world))
    group = ClassGroup.objects.get(school=world.a.school, grade=5, letter="Б")
    assert response["Location"] == reverse("school-class", args=[world.a.school.pk, group.pk])
    assert "Class group 5Б is created." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"grade": 7, "letter": "А"}, "letter", "Class group 7А already exists this year."),
        ({"grade": 12}, "grade", "The grade must be from 1 to 11."),
        ({"grade": "seven"}, "grade", "Enter a whole number."),
    ],
)
def test_class_group_form_errors_are_shown_by_their_fields(world, en, overrides, field, message):
    before = ClassGroup.objects.count()
    response = admin_client(en, world).post(
        reverse("school-class-new", args=[world.a.school.pk]), class_form(world, **overrides)
    )
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert message in response.content.decode().replace("&quot;", '"')
    assert ClassGroup.objects.count() == before


def test_class_group_form_offers_only_this_schools_choices(world, en):
    response = admin_client(en, world).post(
        reverse("school-class-new", args=[world.a.school.pk]),
        class_form(world, building=world.b.group.building_id, class_teacher=world.b.class_teacher.pk),
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"building", "class_teacher"}


def enrol_form(**overrides):
    data = {
        "student_mode": "new",
        "student_last_name": "Щукина",
        "student_first_name": "Юлия",
        "student_middle_name": "",
        "guardian_mode": "new",
        "guardian_last_name": "Щукина",
        "guardian_first_name": "Ольга",
        "guardian_email": "olga@example.org",
        "relation": "mother",
    }
    return data | overrides


def test_enrol_a_new_student_shows_the_logins_once(world, en):
    client = admin_client(en, world)
    url = reverse("school-class-enrol", args=[world.a.school.pk, world.a.group.pk])
    response = client.post(url, enrol_form())
    assert response.status_code == 302
    student = User.objects.get(username="shchukina.yu")
    assert Enrolment.objects.filter(student=student, class_group=world.a.group).exists()
    assert Guardianship.objects.filter(student=student, guardian__username="shchukina.o").exists()
    page = client.get(response["Location"])
    slip = page.context["new_accounts"]
    assert [a["username"] for a in slip] == ["shchukina.yu", "shchukina.o"]
    assert student.check_password(slip[0]["password"])
    assert slip[0]["password"] in page.content.decode()
    # The passwords are shown once: the next visit has no slip.
    assert client.get(response["Location"]).context["new_accounts"] == []


def test_enrol_an_existing_account_without_a_guardian(world, en):
    newcomer = f.UserFactory.create(username="newcomer")
    response = admin_client(en, world).post(
        reverse("school-class-enrol", args=[world.a.school.pk, world.a.group.pk]),
        enrol_form(student_mode="existing", student_username="newcomer", guardian_mode="none"),
    )
    assert response.status_code == 302
    assert Enrolment.objects.filter(student=newcomer, class_group=world.a.group).exists()
    assert not Guardianship.objects.filter(student=newcomer).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"student_last_name": ""}, "student_last_name"),
        ({"student_mode": "existing", "student_username": "student1"}, "student_username"),
        ({"student_mode": "existing", "student_username": ""}, "student_username"),
        ({"guardian_email": "not-an-address"}, "guardian_email"),
        ({"guardian_mode": "existing", "guardian_username": ""}, "guardian_username"),
        ({"relation": "uncle"}, "relation"),
    ],
)
def test_enrol_errors_write_nothing(world, en, overrides, field):
    counts = (User.objects.count(), Enrolment.objects.count(), Guardianship.objects.count())
    response = admin_client(en, world).post(
        reverse("school-class-enrol", args=[world.a.school.pk, world.a.group.pk]), enrol_form(**overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Nothing was saved" in response.content.decode()
    assert (User.objects.count(), Enrolment.objects.count(), Guardianship.objects.count()) == counts


def assignment_form(world, **overrides):
    subject = f.SubjectFactory.create(code="physics")
    data = {
        "class_group": world.a.other_group.pk,
        "subject": subject.pk,
        "teacher": world.a.subject_teacher.pk,
        "hours_per_week": 2,
    }
    return data | overrides


def test_add_a_teaching_assignment(world, en):
    response = admin_client(en, world).post(
        reverse("school-assignment-new", args=[world.a.school.pk]), assignment_form(world)
    )
    assert response.status_code == 302
    assert TeachingAssignment.objects.filter(
        class_group=world.a.other_group, subject__code="physics"
    ).exists()


@pytest.mark.parametrize(
    ("case", "field"),
    [("hours 0", "hours_per_week"), ("teacher of another school", "teacher"), ("subject taken", "subject")],
)
def test_teaching_assignment_form_errors(world, en, case, field):
    overrides = {
        "hours 0": {"hours_per_week": 0},
        "teacher of another school": {"teacher": world.b.subject_teacher.pk},
        "subject taken": {"class_group": world.a.group.pk, "subject": world.a.assignment.subject_id},
    }[case]
    before = TeachingAssignment.objects.count()
    response = admin_client(en, world).post(
        reverse("school-assignment-new", args=[world.a.school.pk]), assignment_form(world, **overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert TeachingAssignment.objects.count() == before


def test_assignment_form_preselects_the_class_group(world, en):
    url = reverse("school-assignment-new", args=[world.a.school.pk]) + f"?class_group={world.a.group.pk}"
    response = admin_client(en, world).get(url)
    assert response.context["form"].initial["class_group"] == str(world.a.group.pk)


def period_form(world, **overrides):
    data = {
        "year": world.a.group.year_id,
        "kind": "quarter",
        "number": 2,
        "starts_on": "2026-11-05",
        "ends_on": "2026-12-28",
    }
    return data | overrides


def test_add_and_edit_a_study_period(world, en):
    client = admin_client(en, world)
    response = client.post(reverse("school-period-new", args=[world.a.school.pk]), period_form(world))
    assert response.status_code == 302
    period = StudyPeriod.objects.get(school=world.a.school, number=2)
    url = reverse("school-period-edit", args=[world.a.school.pk, period.pk])
    assert client.get(url).context["form"].initial["starts_on"] == dt.date(2026, 11, 5)
    response = client.post(url, period_form(world, ends_on="2026-12-27"))
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.ends_on == dt.date(2026, 12, 27)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_on": "2026-10-01"}, "starts_on"),  # overlaps quarter 1
        ({"ends_on": "2027-07-01"}, "ends_on"),  # after the year
        ({"starts_on": "not a date"}, "starts_on"),
        ({"number": 1}, "number"),
        ({"number": 5}, "number"),  # the form's bound: four quarters at most
        ({"number": 40000}, "number"),
        ({"number": "9" * 30}, "number"),
        ({"kind": "semester", "number": 3}, "number"),  # the service's bound for the kind
    ],
)
def test_study_period_form_errors(world, en, overrides, field):
    before = list(StudyPeriod.objects.order_by("pk").values_list("starts_on", "ends_on", "number"))
    response = admin_client(en, world).post(
        reverse("school-period-new", args=[world.a.school.pk]), period_form(world, **overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert list(StudyPeriod.objects.order_by("pk").values_list("starts_on", "ends_on", "number")) == before


def test_an_overlap_message_names_the_other_period(world, en):
    response = admin_client(en, world).post(
        reverse("school-period-new", args=[world.a.school.pk]), period_form(world, starts_on="2026-10-01")
    )
    assert "overlaps" in response.context["form"].errors["starts_on"][0]


def test_editing_keeps_the_period_in_its_year(world, en):
    client = admin_client(en, world)
    period = StudyPeriod.objects.get(school=world.a.school)
    other_year = AcademicYear.objects.create(
        school=world.a.school, name="2027/2028", starts_on=dt.date(2027, 9, 1), ends_on=dt.date(2028, 5, 31)
    )
    response = client.post(
        reverse("school-period-edit", args=[world.a.school.pk, period.pk]),
        period_form(world, year=other_year.pk, number=1, starts_on="2026-09-01", ends_on="2026-10-23"),
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.year_id == world.a.group.year_id
    assert period.ends_on == dt.date(2026, 10, 23)


def test_staff_page_groups_a_teachers_classes_by_subject(world, en):
    physics = f.SubjectFactory.create(code="physics", name_en="Physics")
    for group in (world.a.group, world.a.other_group):
        f.TeachingAssignmentFactory.create(
            class_group=group, teacher=world.a.subject_teacher, subject=physics, hours_per_week=3
        )
    response = admin_client(en, world).get(reverse("school-staff", args=[world.a.school.pk]))
    [teacher] = [t for t in response.context["staff"].teachers if t.id == world.a.subject_teacher.pk]
    assert teacher.by_subject == [("Algebra", ["7А"], 2), ("Physics", ["7А", "9Б"], 6)]
