"""A student who moves to another class group: the old journal keeps them, up to the day they
left; the new one has them from the day they came; no mark lands on a day they were elsewhere."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError

from parta.journal import exports, services
from parta.journal.selectors import journal_page, lesson_page
from parta.schools.services.moves import student_move
from parta.testing import factories as f

MOVED_ON = dt.date(2026, 11, 16)


@pytest.fixture
def moved(journal):
    """Student 0 has a mark at the Q2 lesson of 9 November, then moves to 5Б from the 16th."""
    services.mark_create(
        journal.teacher, lesson_id=journal.q2_lesson.pk, student_id=journal.student.pk, value=5
    )
    other = f.ClassGroupFactory.create(year=journal.group.year, grade=5, letter="Б")
    after = f.LessonFactory.create(assignment=journal.assignment, date=dt.date(2026, 11, 23), number=2)
    new_assignment = f.TeachingAssignmentFactory.create(
        class_group=other, teacher=journal.teacher, subject=journal.assignment.subject
    )
    before_joining = f.LessonFactory.create(assignment=new_assignment, date=dt.date(2026, 11, 9), number=3)
    student_move(
        actor=journal.admin,
        student=journal.student,
        from_class_group=journal.group,
        to_class_group=other,
        moved_on=MOVED_ON,
        reason="приказ № 17",
    )
    return journal, after, new_assignment, before_joining


def _row(page, student_id):
    return next(s for s in page.students if s.id == student_id)


def test_the_old_journal_keeps_the_student_until_the_day_they_left(moved):
    journal, after, _new, _lesson = moved
    page = journal_page(journal.teacher, journal.assignment.pk, journal.q2.pk)
    assert page.students[-1].id == journal.student.pk  # after the class, not among it
    student = _row(page, journal.student.pk)
    assert (student.since, student.left_on) == (None, MOVED_ON)
    row = exports.student_row(page, len(page.students), student)
    by_lesson = {cell.lesson.id: cell for cell in row.cells}
    assert by_lesson[journal.q2_lesson.pk].in_class and by_lesson[journal.q2_lesson.pk].text == "5"
    assert not by_lesson[after.pk].in_class
    assert row.average == 5  # their marks still count where they were given
    # The first quarter, long before the move: there all through it.
    q1 = journal_page(journal.teacher, journal.assignment.pk, journal.q1.pk)
    assert all(cell.in_class for cell in exports.student_row(q1, 1, _row(q1, journal.student.pk)).cells)


def test_no_mark_on_a_day_the_student_was_in_another_class(moved):
    journal, after, _new, before_joining = moved
    for lesson in (after, before_joining):
        with pytest.raises(ValidationError) as caught:
            services.mark_create(journal.teacher, lesson_id=lesson.pk, student_id=journal.student.pk, value=4)
        assert "student" in caught.value.message_dict


def test_the_new_journal_has_the_student_from_the_day_they_came(moved):
    journal, _after, new_assignment, before_joining = moved
    page = journal_page(journal.teacher, new_assignment.pk, journal.q2.pk)
    student = _row(page, journal.student.pk)
    assert (student.since, student.left_on) == (MOVED_ON, None)
    cells = exports.student_row(page, 1, student).cells
    assert [cell.in_class for cell in cells] == [False]
    # The lesson page lists only whom the lesson can be marked for.
    assert journal.student.pk not in {s.id for s in lesson_page(journal.teacher, before_joining.pk).students}


def test_the_grid_page_shows_who_left_and_offers_no_cell_after(moved, client):
    journal, after, _new, _lesson = moved
    client.force_login(journal.teacher)
    html = client.get(f"/journal/{journal.assignment.pk}/?period={journal.q2.pk}").content.decode()
    assert "16.11" in html and 'class="is-left"' in html
    cell = html[html.index(f'id="c-{journal.student.pk}-{after.pk}"') :].split("</td>")[0]
    assert "is-outside" in cell and "<a " not in cell


def test_the_new_classs_grid_says_from_which_day_and_offers_no_cell_before(moved, client):
    journal, _after, new_assignment, before_joining = moved
    client.force_login(journal.teacher)
    html = client.get(f"/journal/{new_assignment.pk}/?period={journal.q2.pk}").content.decode()
    assert re.search(r'class="jleft">[^<]*16\.11<', html)  # "from 16.11" beside the name
    cell = html[html.index(f'id="c-{journal.student.pk}-{before_joining.pk}"') :].split("</td>")[0]
    assert "is-outside" in cell and "<a " not in cell
