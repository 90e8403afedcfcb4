"""The school's sick notes on the web: its administrators read them all, a class teacher those of
the class; anybody else gets 404, for the list and for each note. Fixed queries."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from parta.accounts.models import User
from parta.clinic.models import SickNote
from parta.clinic.tests.conftest import TUESDAY, Clinic
from parta.testing.world import MONDAY

pytestmark = pytest.mark.django_db


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def notes(clinic: Clinic) -> dict[str, SickNote]:
    """A note of 7А's student (school A), one of 9Б's sibling (school A, another class teacher),
    one of school B's student."""
    clinic.enter(MONDAY, 4, "absent")
    clinic.record(MONDAY, TUESDAY, note_id="A-7")
    clinic.record(MONDAY, MONDAY, note_id="A-9", number=clinic.numbers["a.sibling"])
    clinic.record(MONDAY, MONDAY, note_id="B-7", number=clinic.numbers["b.student"])
    return {note.note_id: note for note in SickNote.objects.all()}


def listed(user: User) -> set[str] | int:
    answer = client_of(user).get(reverse("clinic-notes"))
    if answer.status_code != 200:
        return answer.status_code
    return {row.student for row in answer.context["notes"]}


def test_each_reader_lists_their_own_notes(clinic: Clinic, notes: dict[str, SickNote]) -> None:
    a, b = clinic.world.a, clinic.world.b
    assert listed(a.admin) == {a.student.short_name, a.sibling.short_name}
    assert listed(a.class_teacher) == {a.student.short_name}
    assert listed(b.admin) == {b.student.short_name}
    assert listed(b.class_teacher) == {b.student.short_name}
    for nobody in (a.subject_teacher, a.parent, a.student, clinic.world.outsider, clinic.world.methodologist):
        assert listed(nobody) == 404


def test_a_note_that_is_not_yours_is_404(clinic: Clinic, notes: dict[str, SickNote]) -> None:
    a, b = clinic.world.a, clinic.world.b
    url = reverse("clinic-note", args=[notes["A-7"].pk])
    for reader in (a.admin, a.class_teacher):
        assert client_of(reader).get(url).status_code == 200
    for stranger in (b.admin, b.class_teacher, a.subject_teacher, a.parent, a.student, clinic.world.outsider):
        assert client_of(stranger).get(url).status_code == 404
    # The class teacher of 7А does not read 9Б's note.
    sibling = reverse("clinic-note", args=[notes["A-9"].pk])
    assert client_of(a.class_teacher).get(sibling).status_code == 404
    assert client_of(a.admin).get(reverse("clinic-note", args=[10**9])).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page


def test_the_note_shows_each_lesson_before_and_now(clinic: Clinic, notes: dict[str, SickNote]) -> None:
    a = clinic.world.a
    clinic.enter(TUESDAY, 2, "late")  # the teacher changed a cell the note holds
    answer = client_of(a.class_teacher).get(reverse("clinic-note", args=[notes["A-7"].pk]))
    page = answer.context["page"]
    rows = [(r.date, r.number, r.before, r.now, r.state) for r in page.lessons]
    assert rows == [
        (MONDAY, 2, "", "sick (clinic record)", "held"),
        (MONDAY, 4, "absent (teacher)", "sick (clinic record)", "held"),
        (TUESDAY, 2, "", "late (teacher)", "changed"),
        (TUESDAY, 4, "", "sick (clinic record)", "held"),
    ]
    assert [v.kind for v in page.versions] == ["recorded"]
    text = answer.content.decode()
    assert "A-7" in text and "Поликлиника № 12" in text
    clinic.withdraw("A-7")
    page = client_of(a.admin).get(reverse("clinic-note", args=[notes["A-7"].pk])).context["page"]
    assert [r.state for r in page.lessons] == ["restored", "restored", "kept", "restored"]
    assert (page.note.status, page.note.lessons) == ("withdrawn", 3)


def test_the_pages_read_a_fixed_number_of_queries(
    clinic: Clinic, notes: dict[str, SickNote], django_assert_max_num_queries: object
) -> None:
    admin = client_of(clinic.world.a.admin)
    admin.get(reverse("clinic-notes"))  # the session and the roles, once
    for note_id in ("A-9", "B-7"):
        clinic.record(MONDAY, MONDAY, note_id=f"{note_id}-2", number=clinic.numbers["a.classmate"])
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        assert admin.get(reverse("clinic-notes")).status_code == 200
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert admin.get(reverse("clinic-note", args=[notes["A-7"].pk])).status_code == 200


def test_the_pages_and_the_notification_speak_russian(
    clinic: Clinic, notes: dict[str, SickNote], settings: object, django_capture_on_commit_callbacks: object
) -> None:
    from django.utils import translation

    from parta.messaging.models import Notification
    from parta.messaging.notifications import row_of

    a = clinic.world.a
    settings.LANGUAGE_CODE = "ru"  # type: ignore[attr-defined]
    with translation.override("ru"):
        page = client_of(a.class_teacher).get(
            reverse("clinic-note", args=[notes["A-7"].pk]), HTTP_ACCEPT_LANGUAGE="ru"
        )
        text = page.content.decode()
        assert (
            "Медицинские справки" in text and "До справки" in text and "болел(а) (данные медпункта)" in text
        )
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            clinic.record(MONDAY, MONDAY, note_id="RU-1", number=clinic.numbers["a.classmate"])
        told = Notification.objects.get(kind="sick_note", recipient=a.classmate_parent)
        assert row_of(told).text == (
            f"{a.classmate.short_name}: Справка из поликлиники: болезнь 7 сентября, 2 урока отмечены как"
            " пропуск по болезни."
        )
