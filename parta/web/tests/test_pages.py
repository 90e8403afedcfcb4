import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from parta.accounts.models import User
from parta.curriculum.models import Section, Topic
from parta.testing import factories as f
from parta.testing.factories import PASSWORD, api_key
from parta.timetable.models import Lesson


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def home_as(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def lesson_today(assignment, number=1, **kwargs):
    return f.LessonFactory(assignment=assignment, date=timezone.localdate(), number=number, **kwargs)


# --- login and logout ---------------------------------------------------------------------


def test_home_needs_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_login_page_and_logging_in(world, en):
    page = en.get(reverse("login"))
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    response = en.post(reverse("login"), {"username": "student1", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_is_refused_with_a_message(world, en):
    response = en.post(reverse("login"), {"username": "student1", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in en.session


def test_logout_is_a_post(world, en):
    en.force_login(world.a.student)
    assert en.get(reverse("logout")).status_code == 405
    body = en.get(reverse("home")).content.decode()
    assert re.search(r'<form action="/logout/" method="post">', body)
    response = en.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert en.get(reverse("home")).status_code == 302


# --- layout -------------------------------------------------------------------------------


def test_layout_has_school_name_role_menu_and_language_switch(world, en):
    body = home_as(en, world.a.admin).content.decode()
    assert world.a.school.short_name in body
    assert 'action="/i18n/setlang/"' in body
    assert 'name="language" value="ru"' in body
    assert 'name="language" value="en"' in body
    assert reverse("school-classes", args=[world.a.school.pk]) in body
    assert "School administrator" in body


def test_menu_follows_the_roles(world, en):
    teacher_menu = [item.section for item in home_as(en, world.a.class_teacher).context["menu"]]
    assert teacher_menu == [
        "home",
        "journal",
        "passage",
        "clinic",
        "timetable",
        "messages",
        "library",
        "library-mine",
    ]
    methodologist_menu = [item.section for item in home_as(en, world.methodologist).context["menu"]]
    assert methodologist_menu == ["home", "library", "library-mine", "library-review"]
    admin_menu = [item.section for item in home_as(en, world.a.admin).context["menu"]]
    assert admin_menu == [
        "home",
        "journal",
        "clinic",
        "messages",
        "library",
        "classes",
        "staff",
        "assignments",
        "periods",
        "buildings",
        "school-timetable",
        "school-subs",
        "bells",
        "grading",
        "devices",
        "cards",
        "passages",
        "school-meals",
    ]
    parent_menu = [item.section for item in home_as(en, world.a.parent).context["menu"]]
    assert parent_menu == ["home", "diary", "homework", "prep", "meals", "timetable", "messages", "library"]
    student_menu = [item.section for item in home_as(en, world.a.student).context["menu"]]
    assert student_menu == ["home", "diary", "homework", "prep", "meals", "timetable", "library"]
    assert [item.section for item in home_as(en, world.outsider).context["menu"]] == ["home", "library"]


def test_switching_the_language(world, client, settings):
    settings.LANGUAGE_CODE = "ru"
    client.force_login(world.a.student)
    assert '<html lang="ru">' in client.get(reverse("home")).content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_htmx_is_vendored_and_its_version_noted():
    path = finders.find("parta/htmx.min.js")
    assert path
    assert 'version:"2.' in Path(path).read_text()
    base = Path(settings.BASE_DIR, "parta/web/templates/base.html").read_text()
    assert "htmx 2.0.11" in base
    assert "//" not in base.split("htmx.min.js")[0].rsplit("<script", 1)[1]  # no CDN address
    assert finders.find("parta/parta.css")


# --- home of each role --------------------------------------------------------------------


def test_student_home_shows_todays_lessons(world, en):
    lesson_today(world.a.assignment, number=1)
    response = home_as(en, world.a.student)
    student = response.context["student"]
    assert student.class_group == "7А"
    assert [row.subject for row in student.lessons] == ["Algebra"]
    body = response.content.decode()
    assert reverse("timetable-student", args=[world.a.student.pk]) in body
    assert response.context["teacher"] is None
    assert response.context["schools"] is None


def test_parent_home_shows_each_child_with_todays_lessons(world, en):
    lesson_today(world.a.assignment, number=1)
    response = home_as(en, world.a.parent)
    children = {child.id: child for child in response.context["children"]}
    assert set(children) == {world.a.student.pk, world.a.sibling.pk}
    assert len(children[world.a.student.pk].lessons) == 1
    assert children[world.a.sibling.pk].lessons == []
    assert children[world.a.sibling.pk].class_group == "9Б"
    body = response.content.decode()
    for child in (world.a.student, world.a.sibling):
        assert reverse("timetable-student", args=[child.pk]) in body
    # Nothing of another family.
    assert reverse("timetable-student", args=[world.b.student.pk]) not in body


def test_teacher_home_shows_lessons_groups_and_homeroom(world, en):
    lesson_today(world.a.assignment, number=1)
    response = home_as(en, world.a.class_teacher)
    teacher = response.context["teacher"]
    assert teacher.lessons == []
    assert {(g.name, g.hours) for g in teacher.groups} == {("7А", 2), ("9Б", 2)}
    assert [(h.name, h.student_count) for h in teacher.homerooms] == [("7А", 2)]  # with the classmate
    body = response.content.decode()
    assert reverse("timetable-class", args=[world.a.group.pk]) in body
    subject_teacher = home_as(en, world.a.subject_teacher).context["teacher"]
    assert [row.class_group for row in subject_teacher.lessons] == ["7А"]
    assert subject_teacher.homerooms == []


def test_teacher_home_shows_substitutions_and_cancellations(world, en):
    substitute = f.UserFactory.create(last_name="Заменова", first_name="Ирина")
    lesson_today(world.a.assignment, number=1, teacher=substitute, replaced_teacher=world.a.subject_teacher)
    lesson_today(world.a.assignment, number=2, status=Lesson.Status.CANCELLED, note="Seminar")
    body = home_as(en, world.a.subject_teacher).content.decode()
    assert "is-handed-over" in body
    assert "Заменова И." in body
    assert "Seminar" in body
    assert "badge-cancelled" in body


def test_admin_home_counts_the_school(world, en):
    lesson_today(world.a.assignment, number=1)
    lesson_today(world.a.assignment, number=2, status=Lesson.Status.CANCELLED)
    lesson_today(
        world.a.assignment, number=3, teacher=f.UserFactory(), replaced_teacher=world.a.subject_teacher
    )
    response = home_as(en, world.a.admin)
    [school] = response.context["schools"]
    assert school.id == world.a.school.pk
    assert (school.class_groups, school.students, school.teachers) == (2, 3, 2)  # with the classmate
    assert (school.lessons_today, school.substitutions_today, school.cancellations_today) == (2, 1, 1)
    body = response.content.decode()
    for name in ("school-classes", "school-staff", "school-assignments", "school-periods"):
        assert reverse(name, args=[world.a.school.pk]) in body


def test_methodologist_home_shows_city_schools_and_the_framework(world, en):
    subject = world.a.assignment.subject
    section = Section.objects.create(
        subject=subject, grade=7, code="ALG-07-01", title_ru="Числа", title_en="Numbers", order=1
    )
    for i in range(3):
        Topic.objects.create(
            section=section,
            subject=subject,
            grade=7 + i % 2,
            code=f"ALG-07-01-0{i}",
            title_ru="Т",
            title_en="T",
            hours=1,
            order=i,
        )
    response = home_as(en, world.methodologist)
    city = response.context["city"]
    assert {s.id for s in city.schools} == {world.a.school.pk, world.b.school.pk}
    assert city.school_total == 2
    [row] = city.subjects
    assert (row.subject, row.sections, row.topics, row.grades) == ("Algebra", 1, 3, "7–8")
    assert city.topic_total == 3
    assert response.context["back_office"] is False


def test_superuser_home_links_to_the_back_office(db, en):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    response = home_as(en, root)
    assert response.context["back_office"] is True
    assert reverse("admin:index") in response.content.decode()
    assert en.get(reverse("admin:index")).status_code == 200


def test_a_user_without_roles_is_told_so(world, en):
    response = home_as(en, world.outsider)
    assert response.context["no_role"] is True
    assert "Your account has no role yet" in response.content.decode()


def test_home_pages_have_a_small_query_count(world, en, django_assert_max_num_queries):
    for i in range(1, 8):
        lesson_today(world.a.assignment, number=i)
    # 14 for the page and its header, plus the two unread counts (notifications, messages); a
    # student's card adds one query for each panel other apps register (today's passages, meals).
    for user, budget in (
        (world.a.student, 18),
        (world.a.class_teacher, 16),
        (world.a.admin, 16),
        (world.methodologist, 16),
    ):
        en.force_login(user)
        with django_assert_max_num_queries(budget):
            assert en.get(reverse("home")).status_code == 200


def test_home_in_russian_by_default(world, client, settings):
    settings.LANGUAGE_CODE = "ru"
    client.force_login(world.a.student)
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="ru">' in body
    with translation.override("ru"):
        assert date_format(timezone.localdate(), "l, j E Y") in body


def test_password_change(world, en):
    en.force_login(world.a.student)
    url = reverse("password_change")
    assert en.get(url).status_code == 200
    bad = en.post(url, {"old_password": "wrong", "new_password1": "x", "new_password2": "y"})
    assert bad.status_code == 200
    assert "old_password" in bad.context["form"].errors
    response = en.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-better-pass-42",
            "new_password2": "a-much-better-pass-42",
        },
    )
    assert response["Location"] == reverse("home")
    world.a.student.refresh_from_db()
    assert world.a.student.check_password("a-much-better-pass-42")
    assert "Your password is changed." in en.get(reverse("home")).content.decode()


def test_a_password_change_revokes_the_api_tokens_and_the_calendar_address(world, en):
    from parta.accounts.models import ApiToken

    student = world.a.student
    api_key(student)
    old_calendar = student.calendar_token
    en.force_login(student)
    new_password = "a-much-better-pass-42"
    data = {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password}
    assert en.post(reverse("password_change"), data).status_code == 302
    student.refresh_from_db()
    assert not ApiToken.objects.filter(user=student).exists()
    assert student.calendar_token != old_calendar
    assert en.get(reverse("home")).status_code == 200  # this browser stays signed in


def test_a_refused_password_change_revokes_nothing(world, en):
    from parta.accounts.models import ApiToken

    student = world.a.student
    api_key(student)
    token = ApiToken.objects.get(user=student)
    old_calendar = student.calendar_token
    en.force_login(student)
    en.post(reverse("password_change"), {"old_password": "wrong", "new_password1": "x", "new_password2": "x"})
    student.refresh_from_db()
    assert ApiToken.objects.get(user=student) == token
    assert student.calendar_token == old_calendar


def test_password_change_needs_login(db, client):
    assert client.get(reverse("password_change")).status_code == 302


def test_not_found_page_uses_the_layout(world, en):
    en.force_login(world.a.parent)
    response = en.get("/timetable/student/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert 'class="topbar"' in body


# --- my devices ----------------------------------------------------------------------------


def test_my_devices_lists_my_tokens_and_signs_one_out(world, en):
    from parta.accounts.models import ApiToken

    student = world.a.student
    api_key(student, "Phone")
    api_key(student, "Tablet")
    api_key(world.a.parent, "Parent's phone")
    en.force_login(student)
    assert reverse("my-devices") in en.get(reverse("home")).content.decode()  # linked from the header
    body = en.get(reverse("my-devices")).content.decode()
    assert "Phone" in body and "Tablet" in body and "Parent&#x27;s phone" not in body
    phone = ApiToken.objects.get(device="Phone")
    response = en.post(reverse("my-devices"), {"token": phone.pk})
    assert response.status_code == 302
    assert set(ApiToken.objects.filter(user=student).values_list("device", flat=True)) == {"Tablet"}


def test_another_persons_device_cannot_be_signed_out(world, en):
    from parta.accounts.models import ApiToken

    api_key(world.a.parent, "Parent's phone")
    theirs = ApiToken.objects.get()
    en.force_login(world.a.student)
    assert en.post(reverse("my-devices"), {"token": theirs.pk}).status_code == 404
    assert en.post(reverse("my-devices"), {"token": "x"}).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
