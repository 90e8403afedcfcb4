import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parta.curriculum.models import Section, Topic
from parta.schools.models import Holiday
from parta.testing import factories as f
from parta.testing.world import MONDAY
from parta.timetable.models import Lesson
from parta.timetable.views import parse_week

WEEK = f"?week={MONDAY.isoformat()}"


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def student_url(user):
    return reverse("timetable-student", args=[user.pk]) + WEEK


def teacher_url(user):
    return reverse("timetable-teacher", args=[user.pk]) + WEEK


def class_url(group):
    return reverse("timetable-class", args=[group.pk]) + WEEK


def get_as(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


# --- who may open which page -----------------------------------------------------------


def test_student_sees_own_week(world, en):
    response = get_as(en, world.a.student, student_url(world.a.student))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Algebra" in body
    assert "7А" in body
    # The sibling's lesson (another class) is not in this student's week.
    assert "9Б" not in body


def test_guardian_sees_each_child_and_switches_between_them(world, en):
    response = get_as(en, world.a.parent, student_url(world.a.student))
    assert response.status_code == 200
    tabs = response.context["tabs"]
    assert [t.active for t in tabs].count(True) == 1
    assert {t.url.split("?")[0] for t in tabs} == {
        reverse("timetable-student", args=[world.a.student.pk]),
        reverse("timetable-student", args=[world.a.sibling.pk]),
    }
    # Tabs keep the week the parent is looking at.
    assert all(t.url.endswith(WEEK) for t in tabs)
    assert en.get(student_url(world.a.sibling)).status_code == 200


def test_student_has_no_tabs_for_their_sibling(world, en):
    response = get_as(en, world.a.student, student_url(world.a.student))
    assert response.context["tabs"] == []
    assert en.get(student_url(world.a.sibling)).status_code == 404


@pytest.mark.parametrize(
    "viewer",
    ["b.parent", "b.admin", "b.class_teacher", "outsider", "methodologist", "a.subject_teacher_on_sibling"],
)
def test_strangers_get_404_for_a_student_timetable(world, en, viewer):
    target = world.a.student
    if viewer == "a.subject_teacher_on_sibling":
        # The subject teacher teaches 7А only, not the sibling's 9Б.
        user, target = world.a.subject_teacher, world.a.sibling
    elif "." in viewer:
        side, role = viewer.split(".")
        user = getattr(getattr(world, side), role)
    else:
        user = getattr(world, viewer)
    assert get_as(en, user, student_url(target)).status_code == 404


def test_staff_who_teach_the_class_and_the_admin_see_a_student(world, en):
    for user in (world.a.subject_teacher, world.a.class_teacher, world.a.admin):
        assert get_as(en, user, student_url(world.a.student)).status_code == 200


def test_a_person_who_is_not_a_student_has_no_student_timetable(world, en):
    assert get_as(en, world.a.admin, student_url(world.a.subject_teacher)).status_code == 404


def test_anonymous_is_sent_to_login(world, client):
    for url in (
        student_url(world.a.student),
        teacher_url(world.a.class_teacher),
        class_url(world.a.group),
        "/timetable/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_teacher_sees_own_week_with_class_groups(world, en):
    response = get_as(en, world.a.class_teacher, teacher_url(world.a.class_teacher))
    assert response.status_code == 200
    body = response.content.decode()
    assert "9Б" in body
    # The teacher may open the class they teach, so the group links to its timetable.
    assert reverse("timetable-class", args=[world.a.other_group.pk]) in body


def test_colleagues_and_admin_see_a_teacher_but_families_and_other_schools_do_not(world, en):
    url = teacher_url(world.a.subject_teacher)
    assert get_as(en, world.a.class_teacher, url).status_code == 200
    assert get_as(en, world.a.admin, url).status_code == 200
    for user in (world.a.student, world.a.parent, world.b.admin, world.b.subject_teacher, world.outsider):
        assert get_as(en, user, url).status_code == 404


def test_an_admin_is_not_a_teacher_page(world, en):
    assert get_as(en, world.a.admin, teacher_url(world.a.admin)).status_code == 404


def test_class_timetable_access(world, en):
    url = class_url(world.a.group)
    for user in (
        world.a.admin,
        world.a.class_teacher,
        world.a.subject_teacher,
        world.a.student,
        world.a.parent,
    ):
        assert get_as(en, user, url).status_code == 200, user
    for user in (world.b.admin, world.b.parent, world.b.class_teacher, world.outsider, world.a.sibling):
        assert get_as(en, user, url).status_code == 404, user
    # A subject teacher of 7А does not teach 9Б.
    assert get_as(en, world.a.subject_teacher, class_url(world.a.other_group)).status_code == 404


def test_class_timetable_names_the_class_teacher(world, en):
    body = get_as(en, world.a.admin, class_url(world.a.group)).content.decode()
    assert "Class teacher:" in body
    assert world.a.class_teacher.full_name in body


# --- /timetable/ sends each role to their own ------------------------------------------


def test_my_timetable_redirects_by_role(world, client):
    cases = [
        (world.a.student, reverse("timetable-student", args=[world.a.student.pk])),
        (world.a.subject_teacher, reverse("timetable-teacher", args=[world.a.subject_teacher.pk])),
    ]
    for user, expected in cases:
        response = get_as(client, user, "/timetable/?week=2026-09-09")
        assert response.status_code == 302
        assert response["Location"] == expected + "?week=2026-09-09"
    response = get_as(client, world.a.parent, "/timetable/")
    assert response["Location"] in {
        reverse("timetable-student", args=[world.a.student.pk]),
        reverse("timetable-student", args=[world.a.sibling.pk]),
    }


def test_a_deactivated_child_is_neither_the_default_nor_a_tab(world, en):
    world.a.sibling.is_active = False
    world.a.sibling.save(update_fields=["is_active"])
    response = get_as(en, world.a.parent, "/timetable/")
    assert response["Location"] == reverse("timetable-student", args=[world.a.student.pk])
    assert en.get(student_url(world.a.student)).context["tabs"] == []
    world.a.student.is_active = False
    world.a.student.save(update_fields=["is_active"])
    assert en.get("/timetable/").status_code == 404


def test_my_timetable_is_404_without_a_timetable(world, client):
    assert get_as(client, world.a.admin, "/timetable/").status_code == 404
    assert get_as(client, world.outsider, "/timetable/").status_code == 404


# --- week navigation --------------------------------------------------------------------


def test_any_day_picks_its_week_and_the_links_step_a_week(world, en):
    url = reverse("timetable-student", args=[world.a.student.pk]) + "?week=2026-09-10"
    response = get_as(en, world.a.student, url)
    week = response.context["week"]
    assert week.monday == MONDAY
    assert week.last_day == dt.date(2026, 9, 12)
    body = response.content.decode()
    assert "?week=2026-08-31" in body
    assert "?week=2026-09-14" in body
    assert 'hx-get="' in body
    assert 'hx-push-url="true"' in body


def test_another_week_shows_its_lessons_only(world, en):
    url = reverse("timetable-student", args=[world.a.student.pk]) + "?week=2026-09-14"
    response = get_as(en, world.a.student, url)
    assert response.context["lesson_count"] == 0
    assert "No lessons" in response.content.decode()


def test_without_a_week_the_current_week_is_shown(world, en):
    response = get_as(en, world.a.student, reverse("timetable-student", args=[world.a.student.pk]))
    today = timezone.localdate()
    assert response.context["week"].monday == today - dt.timedelta(days=today.weekday())
    assert response.context["week"].is_current


@pytest.mark.parametrize(
    "value", ["2026-13-01", "yesterday", "0001-01-01", "9999-12-31", "2026-09-07'><script>"]
)
def test_a_bad_week_falls_back_to_this_week_with_a_notice(world, en, value):
    response = get_as(
        en, world.a.student, reverse("timetable-student", args=[world.a.student.pk]), data={"week": value}
    )
    assert response.status_code == 200
    week = response.context["week"]
    assert week.is_current
    assert week.notice
    body = response.content.decode()
    assert 'class="notice notice-warning" role="alert"' in body
    assert "<script>" not in body


def test_parse_week():
    today = dt.date(2026, 11, 26)
    assert parse_week(None, today).monday == dt.date(2026, 11, 23)
    assert parse_week("2026-09-13", today).monday == dt.date(2026, 9, 7)
    assert parse_week("2026-09-13", today).notice is None
    assert parse_week("1899-12-31", today).notice


def test_htmx_gets_only_the_week_partial(world, en):
    url = reverse("timetable-student", args=[world.a.student.pk]) + "?week=2026-09-14"
    response = get_as(en, world.a.student, url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="week"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]
    # The language switch in the (unswapped) header is told which week is now on screen.
    assert 'id="lang-next" value="/timetable/student/' in body
    assert 'hx-swap-oob="true"' in body


def test_htmx_history_restore_gets_the_whole_page(world, en):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = get_as(en, world.a.student, student_url(world.a.student), headers=headers)
    assert "<html" in response.content.decode()


# --- substitutions, cancellations, holidays ---------------------------------------------


def test_substitution_shows_the_replaced_teacher_struck_through(world, en):
    substitute = f.UserFactory.create(last_name="Заменова", first_name="Ирина", middle_name="Петровна")
    Lesson.objects.filter(pk=world.a.lesson.pk).update(
        teacher=substitute, replaced_teacher=world.a.subject_teacher
    )
    body = get_as(en, world.a.student, student_url(world.a.student)).content.decode()
    assert "substitution" in body
    assert f"<del>{world.a.subject_teacher.short_name}</del>" in body
    assert "<ins>Заменова И. П.</ins>" in body


def test_cancellation_shows_a_badge_and_the_reason(world, en):
    Lesson.objects.filter(pk=world.a.lesson.pk).update(
        status=Lesson.Status.CANCELLED, note="Teacher at a seminar"
    )
    response = get_as(en, world.a.student, student_url(world.a.student))
    body = response.content.decode()
    assert "is-cancelled" in body
    assert '<s class="lesson-subject">Algebra</s>' in body
    assert '<span class="badge badge-cancelled">cancelled</span>' in body
    assert "Teacher at a seminar" in body
    assert response.context["lesson_count"] == 0


def test_the_replaced_teacher_still_sees_the_lesson_handed_over(world, en):
    substitute = f.UserFactory.create()
    Lesson.objects.filter(pk=world.a.lesson.pk).update(
        teacher=substitute, replaced_teacher=world.a.subject_teacher
    )
    body = get_as(en, world.a.subject_teacher, teacher_url(world.a.subject_teacher)).content.decode()
    assert "is-handed-over" in body


def test_online_link_is_offered(world, en):
    Lesson.objects.filter(pk=world.a.lesson.pk).update(online_link="https://meet.example.org/7a-algebra")
    body = get_as(en, world.a.student, student_url(world.a.student)).content.decode()
    assert 'href="https://meet.example.org/7a-algebra"' in body
    assert "Join the online lesson" in body


def test_topic_and_room_are_shown(world, en):
    room = f.RoomFactory.create(school=world.a.school, building=world.a.group.building, name="204")
    section_subject = world.a.lesson.subject
    section = Section.objects.create(
        subject=section_subject, grade=7, code="ALG-07-01", title_ru="Числа", title_en="Numbers", order=1
    )
    topic = Topic.objects.create(
        section=section,
        subject=section_subject,
        grade=7,
        code="ALG-07-01-01",
        title_ru="Дроби",
        title_en="Fractions",
        hours=2,
        order=1,
    )
    Lesson.objects.filter(pk=world.a.lesson.pk).update(room=room, topic=topic)
    body = get_as(en, world.a.student, student_url(world.a.student)).content.decode()
    assert "Fractions" in body
    assert "room 204" in body


@pytest.mark.parametrize(
    ("language", "name", "label"),
    [
        ("en", "204а", "room 204а"),
        ("ru", "204а", "каб. 204а"),
        ("en", "Спортивный зал 1", "Спортивный зал 1"),
        ("ru", "Спортивный зал 1", "Спортивный зал 1"),
    ],
)
def test_a_room_is_prefixed_only_when_numbered(world, client, language, name, label):
    room = f.RoomFactory.create(school=world.a.school, building=world.a.group.building, name=name)
    Lesson.objects.filter(pk=world.a.lesson.pk).update(room=room)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = get_as(client, world.a.student, student_url(world.a.student)).content.decode()
    assert f'<span class="meta-item">{label}</span>' in body
    assert "каб. Спортивный" not in body and "room Спортивный" not in body


def test_holiday_is_marked_on_its_days(world, en):
    year = world.a.group.year
    Holiday.objects.create(
        school=world.a.school,
        year=year,
        name="Autumn break",
        starts_on=MONDAY + dt.timedelta(days=2),
        ends_on=MONDAY + dt.timedelta(days=10),
    )
    response = get_as(en, world.a.student, student_url(world.a.student))
    days = response.context["days"]
    assert days[0].holiday is None
    assert days[2].holiday == "Autumn break"
    # Another school's holiday does not reach this school's timetable.
    other = get_as(en, world.b.student, student_url(world.b.student))
    assert all(d.holiday is None for d in other.context["days"])


def test_pages_are_in_russian_by_default(world, client, settings):
    settings.LANGUAGE_CODE = "ru"
    body = get_as(client, world.a.student, student_url(world.a.student)).content.decode()
    assert '<html lang="ru">' in body
    assert "Алгебра" in body


# --- query budget -----------------------------------------------------------------------


def _fill_week(world, count):
    """``count`` more lessons for 7А in the test week, with substitutions and cancellations."""
    assignments = [
        f.TeachingAssignmentFactory(
            class_group=world.a.group, teacher=f.UserFactory(), subject=f.SubjectFactory()
        )
        for _ in range(3)
    ]
    made = 0
    for day in range(6):
        for number in range(3, 11):
            if made == count:
                return
            assignment = assignments[made % 3]
            kwargs = {}
            if made % 5 == 0:
                kwargs = {"status": Lesson.Status.CANCELLED, "note": "ill"}
            elif made % 7 == 0:
                kwargs = {"replaced_teacher": world.a.class_teacher}
            f.LessonFactory(
                assignment=assignment, date=MONDAY + dt.timedelta(days=day), number=number, **kwargs
            )
            made += 1


# Session, user, roles (1), access, placement or staff schools, lessons (up to 3), holidays,
# links (2), header school, unread notifications and messages: a fixed number, whatever the number of lessons.
BUDGET = 14


@pytest.mark.parametrize("count", [0, 40])
def test_week_pages_have_a_fixed_query_budget(world, client, django_assert_max_num_queries, count):
    _fill_week(world, count)
    pages = [
        (world.a.parent, student_url(world.a.student)),
        (world.a.admin, class_url(world.a.group)),
        (world.a.class_teacher, teacher_url(world.a.class_teacher)),
    ]
    for user, url in pages:
        client.force_login(user)
        with django_assert_max_num_queries(BUDGET):
            response = client.get(url)
        assert response.status_code == 200
    assert response.context is not None


def test_the_budget_does_not_grow_with_lessons(world, client):
    client.force_login(world.a.admin)
    url = class_url(world.a.group)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _fill_week(world, 40)
    client.force_login(world.a.admin)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# --- calendar subscription ------------------------------------------------------------------


def test_own_timetable_offers_the_calendar_address(world, client):
    body = get_as(client, world.a.student, student_url(world.a.student)).content.decode()
    assert f"/calendar/{world.a.student.calendar_token}.ics" in body


def test_a_parent_is_offered_their_own_feed_on_a_childs_page(world, client):
    body = get_as(client, world.a.parent, student_url(world.a.student)).content.decode()
    assert f"/calendar/{world.a.parent.calendar_token}.ics" in body
    assert world.a.student.calendar_token not in body


def test_staff_are_not_offered_a_feed_on_someone_elses_page(world, client):
    body = get_as(client, world.a.admin, student_url(world.a.student)).content.decode()
    assert "/calendar/" not in body


def test_a_new_calendar_address_replaces_the_old_one(world, client):
    old = world.a.student.calendar_token
    client.force_login(world.a.student)
    assert client.get(reverse("timetable-calendar-reset")).status_code == 405
    response = client.post(reverse("timetable-calendar-reset"), {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("timetable")
    world.a.student.refresh_from_db()
    assert world.a.student.calendar_token != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
