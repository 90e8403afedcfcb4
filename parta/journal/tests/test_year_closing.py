"""Item 6 of the real-school issue: «н/а» and pass/fail as period and year marks, closing the
academic year (it locks the year marks), and the confirmation before a running period or year is
closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from parta.journal import selectors, services
from parta.journal.models import GradingScheme, JournalChange, PeriodMark, Scale
from parta.journal.tests.conftest import Journal, client_for
from parta.journal.tests.test_views import client_of
from parta.schools.models import AcademicYear, StudyPeriod
from parta.testing import factories as f


def _set(journal: Journal, period: StudyPeriod | None, **kwargs: object) -> PeriodMark | None:
    return services.period_mark_set(
        journal.teacher,
        student_id=journal.student.pk,
        subject_id=journal.assignment.subject_id,
        class_group_id=journal.group.pk,
        period_id=period.pk if period else None,
        **kwargs,  # type: ignore[arg-type]
    )


def _grid(journal: Journal, period: StudyPeriod) -> str:
    return reverse("journal-grid", args=[journal.assignment.pk]) + f"?period={period.pk}"


def _running(journal: Journal) -> None:
    """Make the year and its second quarter run past today, whatever day the tests run on."""
    later = timezone.localdate() + dt.timedelta(days=30)
    AcademicYear.objects.filter(pk=journal.group.year_id).update(ends_on=later + dt.timedelta(days=100))
    StudyPeriod.objects.filter(pk=journal.q2.pk).update(ends_on=later)


# --- «н/а» ----------------------------------------------------------------------------------


def test_a_period_mark_may_be_not_attested_and_shows_as_na(journal: Journal) -> None:
    mark = _set(journal, journal.q1, value=None, not_attested=True)
    assert mark is not None and mark.value is None and mark.not_attested
    data = services.period_mark_data(mark)
    assert data is not None and data["not_attested"] is True and data["display"] == "n/a"
    history = JournalChange.objects.get(kind=JournalChange.Kind.PERIOD_MARK)
    assert history.old is None and history.new == {
        "period": journal.q1.pk,
        "scale": Scale.FIVE,
        "value": None,
        "version": 1,
    }
    # A value replaces it, and no value and no «н/а» removes it.
    changed = _set(journal, journal.q1, value=4, version=1)
    assert changed is not None and changed.value == 4 and changed.version == 2
    assert _set(journal, journal.q1, value=None, version=2) is None
    assert not PeriodMark.objects.exists()


def test_not_attested_with_a_value_is_refused_and_writes_nothing(journal: Journal) -> None:
    with pytest.raises(ValidationError) as refused:
        _set(journal, journal.q1, value=4, not_attested=True)
    assert "value" in refused.value.message_dict
    assert not PeriodMark.objects.exists()


def test_not_attested_periods_do_not_enter_the_suggested_year_mark(journal: Journal) -> None:
    _set(journal, journal.q1, value=None, not_attested=True)
    _set(journal, journal.q2, value=4)
    page = selectors.journal_page(journal.teacher, journal.assignment.pk, journal.q2.pk)
    assert page.suggested_year[journal.student.pk] == 4
    q1 = selectors.journal_page(journal.teacher, journal.assignment.pk, journal.q1.pk)
    cell = q1.period_marks[journal.student.pk]
    assert cell.not_attested and cell.display == "n/a" and cell.choice == "na"


def test_the_diary_and_the_api_show_not_attested(journal: Journal) -> None:
    _set(journal, journal.q1, value=None, not_attested=True)
    client = client_for(journal.teacher)
    page = client.get(
        reverse("api-journal-assignment", args=[journal.assignment.pk]), {"period": journal.q1.pk}
    )
    row = next(r for r in page.json()["students"] if r["id"] == journal.student.pk)
    assert row["period_mark"]["value"] is None and row["period_mark"]["not_attested"] is True
    marks = client_for(journal.student).get(
        reverse("api-student-marks", args=[journal.student.pk]), {"period": journal.q1.pk}
    )
    assert marks.status_code == 200
    subject = next(s for s in marks.json()["subjects"] if s["period_mark"])
    assert subject["period_mark"] == {"value": None, "not_attested": True, "display": "n/a"}


def test_the_api_sets_not_attested(journal: Journal) -> None:
    client = client_for(journal.teacher)
    body = {
        "student": journal.student.pk,
        "subject": journal.assignment.subject_id,
        "class_group": journal.group.pk,
        "period": journal.q1.pk,
        "value": None,
        "not_attested": True,
    }
    answer = client.put(reverse("api-period-marks"), body, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["period_mark"]["not_attested"] is True
    both = client.put(reverse("api-period-marks"), body | {"value": 5, "version": 1}, format="json")
    assert both.status_code == 400 and "value" in both.json()["errors"]


def test_the_grid_offers_na_and_saves_it(journal: Journal) -> None:
    client = client_of(journal.teacher)
    grid = client.get(_grid(journal, journal.q1)).content.decode()
    assert '<option value="na">n/a</option>' in grid
    url = (
        reverse("journal-period-mark", args=[journal.assignment.pk, journal.student.pk])
        + f"?period={journal.q1.pk}"
    )
    answer = client.post(url, {"period": journal.q1.pk, "value": "na", "version": ""})
    assert answer.status_code == 302
    assert PeriodMark.objects.get().value is None
    junk = client.post(url, {"period": journal.q1.pk, "value": "n/a; drop", "version": "1"})
    assert junk.status_code == 302 and PeriodMark.objects.get().value is None


# --- pass/fail period marks for a subject marked 1–5 ----------------------------------------


def test_a_subject_may_give_pass_fail_period_marks_while_its_lessons_are_marked_1_to_5(
    journal: Journal,
) -> None:
    services.grading_scheme_save(
        actor=journal.admin,
        school=journal.school,
        subject=journal.assignment.subject,
        scale=Scale.FIVE,
        round_up_from=GradingScheme._meta.get_field("round_up_from").get_default(),
        final_scale=Scale.PASS_FAIL,
    )
    services.mark_create(journal.teacher, lesson_id=journal.lesson.pk, student_id=journal.student.pk, value=5)
    with pytest.raises(ValidationError):
        _set(journal, journal.q1, value=5)  # not on the pass/fail scale
    mark = _set(journal, journal.q1, value=1)
    assert mark is not None and mark.scale == Scale.PASS_FAIL
    assert services.period_mark_data(mark)["display"] == "pass"  # type: ignore[index]
    page = selectors.journal_page(journal.teacher, journal.assignment.pk, journal.q1.pk)
    assert page.final_scale == Scale.PASS_FAIL and page.scale == Scale.FIVE
    assert page.suggested[journal.student.pk] is None  # no 1–5 suggestion for a pass/fail mark
    grid = client_of(journal.teacher).get(_grid(journal, journal.q1)).content.decode()
    assert '<option value="1" selected>pass</option>' in grid


def test_the_final_scale_changes_only_before_the_first_period_mark(journal: Journal) -> None:
    scheme = GradingScheme.objects.get(school=journal.school, subject__isnull=True)
    _set(journal, journal.q1, value=4)
    with pytest.raises(ValidationError) as refused:
        services.grading_scheme_save(
            actor=journal.admin,
            school=journal.school,
            subject=None,
            scale=scheme.scale,
            round_up_from=scheme.round_up_from,
            final_scale=Scale.PASS_FAIL,
            scheme=scheme,
        )
    assert "final_scale" in refused.value.message_dict
    scheme.refresh_from_db()
    assert scheme.final_scale == ""


# --- closing a running period needs a confirmation ----------------------------------------


def test_a_running_period_is_closed_only_with_a_confirmation_naming_its_end(journal: Journal) -> None:
    _running(journal)
    journal.q2.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.period_close(journal.admin, journal.q2.pk)
    assert str(journal.q2.ends_on.day) in refused.value.message_dict["early"][0]
    journal.q2.refresh_from_db()
    assert journal.q2.closed_at is None
    services.period_close(journal.admin, journal.q2.pk, early=True)
    journal.q2.refresh_from_db()
    assert journal.q2.closed_at is not None
    # An ended period needs no confirmation.
    services.period_close(journal.admin, journal.q1.pk)


def test_the_close_page_asks_before_closing_a_running_period(journal: Journal) -> None:
    _running(journal)
    client = client_of(journal.admin)
    url = reverse("school-period-close", args=[journal.school.pk, journal.q2.pk])
    page = client.get(url).content.decode()
    assert 'name="early"' in page and "has not ended" in page
    refused = client.post(url, {"action": "close"})
    assert refused.status_code == 400 and "Confirm" in refused.content.decode()
    assert StudyPeriod.objects.get(pk=journal.q2.pk).closed_at is None
    assert client.post(url, {"action": "close", "early": "on"}).status_code == 302
    assert StudyPeriod.objects.get(pk=journal.q2.pk).closed_at is not None


# --- closing the year -------------------------------------------------------------------------


def test_closing_the_year_closes_its_periods_and_locks_the_year_marks(journal: Journal) -> None:
    year_id = journal.group.year_id
    _set(journal, None, value=4)
    with pytest.raises(ValidationError):
        services.year_close(journal.admin, year_id)  # it runs until 31 May: confirm first
    services.period_close(journal.admin, journal.q1.pk)
    services.year_close(journal.admin, year_id, early=True)
    assert not StudyPeriod.objects.filter(year_id=year_id, closed_at__isnull=True).exists()
    kinds = list(JournalChange.objects.order_by("id").values_list("kind", "object_id"))
    assert kinds[-2:] == [(JournalChange.Kind.PERIOD, journal.q2.pk), (JournalChange.Kind.YEAR, year_id)]
    # The year mark now needs a reason.
    with pytest.raises(ValidationError) as refused:
        _set(journal, None, value=5, version=1)
    assert "reason" in refused.value.message_dict
    changed = _set(journal, None, value=5, version=1, reason="the appeal was upheld")
    assert changed is not None and changed.value == 5
    assert JournalChange.objects.filter(
        kind=JournalChange.Kind.PERIOD_MARK, reason="the appeal was upheld"
    ).exists()
    with pytest.raises(ValidationError):
        services.year_close(journal.admin, year_id, early=True)  # already closed
    # A period of a closed year is reopened only after the year.
    with pytest.raises(ValidationError) as refused:
        services.period_reopen(journal.admin, journal.q2.pk, "a mistake")
    assert "period" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.year_reopen(journal.admin, year_id, "")
    services.year_reopen(journal.admin, year_id, "a mistake")
    assert AcademicYear.objects.get(pk=year_id).closed_at is None
    assert StudyPeriod.objects.filter(year_id=year_id, closed_at__isnull=False).count() == 2
    assert _set(journal, None, value=4, version=2) is not None  # no reason needed any more


def test_only_the_schools_administrator_closes_the_year(journal: Journal) -> None:
    other_admin = f.UserFactory.create()
    other_school = f.SchoolFactory.create()
    f.StaffMembershipFactory.create(school=other_school, user=other_admin, role="admin")
    for outsider in (journal.teacher, journal.class_teacher, journal.student, other_admin):
        with pytest.raises(Http404):
            services.year_close(outsider, journal.group.year_id, early=True)
        answer = client_for(outsider).post(
            reverse("api-academic-year-close", args=[journal.group.year_id]), {"early": True}, format="json"
        )
        assert answer.status_code == 404
        assert (
            client_of(outsider)
            .get(reverse("school-year-close", args=[journal.school.pk, journal.group.year_id]))
            .status_code
            == 404
        )
    assert AcademicYear.objects.get(pk=journal.group.year_id).closed_at is None


def test_the_api_closes_and_reopens_periods_and_years(journal: Journal) -> None:
    _running(journal)
    client = client_for(journal.admin)
    year_id = journal.group.year_id
    refused = client.post(reverse("api-academic-year-close", args=[year_id]), {}, format="json")
    assert refused.status_code == 400 and "early" in refused.json()["errors"]
    closed = client.post(reverse("api-academic-year-close", args=[year_id]), {"early": True}, format="json")
    assert closed.status_code == 200 and closed.json()["closed_at"] is not None
    period = client.post(
        reverse("api-study-period-reopen", args=[journal.q1.pk]), {"reason": "x"}, format="json"
    )
    assert period.status_code == 400
    reopened = client.post(
        reverse("api-academic-year-reopen", args=[year_id]), {"reason": "x"}, format="json"
    )
    assert reopened.status_code == 200 and reopened.json() == {"id": year_id, "closed_at": None}
    q1 = client.post(reverse("api-study-period-reopen", args=[journal.q1.pk]), {"reason": "x"}, format="json")
    assert q1.status_code == 200 and q1.json()["closed_at"] is None
    q1_again = client.post(reverse("api-study-period-close", args=[journal.q1.pk]), {}, format="json")
    assert q1_again.status_code == 200


def test_the_year_close_page_names_the_periods_it_closes_and_the_grid_asks_a_reason(journal: Journal) -> None:
    _running(journal)
    services.period_close(journal.admin, journal.q1.pk)
    client = client_of(journal.admin)
    url = reverse("school-year-close", args=[journal.school.pk, journal.group.year_id])
    page = client.get(url).content.decode()
    assert journal.q2.name in page and journal.q1.name not in page.split("too.")[0].split("This closes")[-1]
    assert client.post(url, {"action": "close"}).status_code == 400
    assert client.post(url, {"action": "close", "early": "on"}).status_code == 302
    grid = client_of(journal.teacher).get(_grid(journal, journal.q2)).content.decode()
    assert 'data-year-closed="1"' in grid and "The academic year is closed" in grid
    assert client.post(url, {"action": "reopen", "reason": ""}).status_code == 400
    assert client.post(url, {"action": "reopen", "reason": "a mistake"}).status_code == 302
    history = client.get(reverse("school-journal-history", args=[journal.school.pk])).content.decode()
    assert "academic year closed or reopened" in history


def test_only_the_schools_administrator_closes_and_reopens_periods_and_years(journal: Journal) -> None:
    """Every closing endpoint and page, tried by the wrong teacher, the class teacher, a parent of
    the class, the student and another school's administrator: 404, and nothing changes."""
    services.period_close(journal.admin, journal.q1.pk)
    parent = f.UserFactory.create()
    f.GuardianshipFactory.create(guardian=parent, student=journal.student)
    other_admin = f.UserFactory.create()
    f.StaffMembershipFactory.create(school=f.SchoolFactory.create(), user=other_admin, role="admin")
    year_id = journal.group.year_id
    requests = [
        ("api-study-period-close", journal.q2.pk, {"early": True}),
        ("api-study-period-reopen", journal.q1.pk, {"reason": "x"}),
        ("api-academic-year-reopen", year_id, {"reason": "x"}),
    ]
    for outsider in (journal.teacher, journal.class_teacher, parent, journal.student, other_admin):
        for name, pk, body in requests:
            answer = client_for(outsider).post(reverse(name, args=[pk]), body, format="json")
            assert answer.status_code == 404, (name, outsider)
        page = reverse("school-period-close", args=[journal.school.pk, journal.q1.pk])
        assert client_of(outsider).post(page, {"action": "reopen", "reason": "x"}).status_code == 404
    assert StudyPeriod.objects.get(pk=journal.q1.pk).closed_at is not None
    assert StudyPeriod.objects.get(pk=journal.q2.pk).closed_at is None


def test_the_history_report_names_a_period_only_on_its_own_rows(journal: Journal) -> None:
    """A mark's history row whose object id equals a closed period's id is not named as that period."""
    services.period_close(journal.admin, journal.q1.pk)
    JournalChange.objects.create(
        school=journal.school,
        kind=JournalChange.Kind.MARK,
        object_id=journal.q1.pk,
        actor=journal.teacher,
        lesson=journal.lesson,
        student=journal.student,
        subject_id=journal.assignment.subject_id,
        new={"value": 5, "scale": Scale.FIVE},
    )
    today = timezone.localdate()
    report = selectors.history_report(journal.admin, journal.school.pk, date_from=today, date_to=today)
    assert report is not None
    by_kind = {row.kind: row for row in report.rows}
    assert by_kind[JournalChange.Kind.PERIOD].period is not None
    assert by_kind[JournalChange.Kind.MARK].period is None
