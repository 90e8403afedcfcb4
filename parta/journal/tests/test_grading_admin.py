"""The school's grading schemes and control forms, kept by its administrator: the models' check
constraints come back as field messages, and nothing official is deleted or re-scaled under marks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404

from parta.journal.models import ControlForm, GradingScheme, Scale
from parta.journal.selectors import grading
from parta.journal.services import (
    control_form_delete,
    control_form_save,
    grading_scheme_delete,
    grading_scheme_save,
)
from parta.testing import factories as f


def form(world, actor=None, control_form=None, **changes):
    fields: dict[str, Any] = {
        "code": "test",
        "name_ru": "Контрольная работа",
        "name_en": "Test",
        "default_weight": 3,
        "order": 1,
    } | changes
    return control_form_save(
        actor=actor or world.a.admin, school=world.a.school, control_form=control_form, **fields
    )


def test_a_control_form_is_added_and_its_rules_are_field_messages(world):
    made = form(world, code=" Test ")
    assert (made.code, made.default_weight, made.school_id) == ("test", 3, world.a.school.pk)
    with pytest.raises(ValidationError) as excinfo:
        form(world)
    assert "code" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        form(world, code="контроль", name_ru="", name_en="", default_weight=11, order=-1)
    assert set(excinfo.value.message_dict) == {"code", "name_ru", "name_en", "default_weight", "order"}
    with pytest.raises(ValidationError) as excinfo:
        form(world, code="zero", default_weight=0)
    assert "default_weight" in excinfo.value.message_dict
    form(world, control_form=made, name_en="Unit test", default_weight=4)
    made.refresh_from_db()
    assert (made.name_en, made.default_weight) == ("Unit test", 4)


def test_control_forms_are_the_schools_administrators_alone(world):
    for actor in (world.b.admin, world.a.class_teacher, world.a.parent, world.a.student):
        with pytest.raises(Http404):
            form(world, actor=actor)
    b_form = f.ControlFormFactory.create(school=world.b.school)
    with pytest.raises(ValidationError):
        form(world, control_form=b_form)
    with pytest.raises(Http404):
        control_form_delete(actor=world.a.admin, control_form=b_form)


def test_a_control_form_with_marks_is_not_deleted(world):
    used, spare = form(world), form(world, code="oral", default_weight=1)
    f.MarkFactory.create(lesson=world.a.lesson, student=world.a.student, value=4, control_form=used)
    with pytest.raises(ValidationError) as excinfo:
        control_form_delete(actor=world.a.admin, control_form=used)
    assert "control_form" in excinfo.value.message_dict
    control_form_delete(actor=world.a.admin, control_form=spare)
    assert list(ControlForm.objects.filter(school=world.a.school).values_list("code", flat=True)) == ["test"]


def scheme(world, subject=None, scale=Scale.FIVE, round_up_from="0.50", existing=None):
    return grading_scheme_save(
        actor=world.a.admin,
        school=world.a.school,
        subject=subject,
        scale=scale,
        round_up_from=Decimal(round_up_from),
        scheme=existing,
    )


def test_one_default_and_one_scheme_per_subject_with_a_threshold_in_range(world):
    default = scheme(world, round_up_from="0.60")
    with pytest.raises(ValidationError) as excinfo:
        scheme(world)
    assert "subject" in excinfo.value.message_dict
    algebra = world.a.assignment.subject
    scheme(world, subject=algebra, scale=Scale.TEN)
    with pytest.raises(ValidationError) as excinfo:
        scheme(world, subject=algebra)
    assert "subject" in excinfo.value.message_dict
    for bad in ("0", "1.01"):
        with pytest.raises(ValidationError) as excinfo:
            scheme(world, existing=default, round_up_from=bad)
        assert "round_up_from" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        scheme(world, existing=default, subject=algebra)
    assert "subject" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        grading_scheme_delete(actor=world.a.admin, scheme=default)


def test_the_scale_changes_only_before_the_first_mark_on_another(world):
    default = scheme(world)
    f.MarkFactory.create(lesson=world.a.lesson, student=world.a.student, value=5)  # 5-point, algebra
    with pytest.raises(ValidationError) as excinfo:
        scheme(world, existing=default, scale=Scale.TEN)
    assert "scale" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        scheme(world, subject=world.a.assignment.subject, scale=Scale.HUNDRED)
    assert "scale" in excinfo.value.message_dict
    # The rounding rule may change at any time; another subject without marks may take another scale.
    scheme(world, existing=default, round_up_from="0.60")
    chemistry = scheme(world, subject=f.SubjectFactory.create(), scale=Scale.TEN)
    grading_scheme_delete(actor=world.a.admin, scheme=chemistry)
    assert GradingScheme.objects.filter(school=world.a.school).count() == 1


def test_the_grading_page_reads_two_queries(world, django_assert_max_num_queries):
    scheme(world)
    scheme(world, subject=world.a.assignment.subject, scale=Scale.TEN)
    used = form(world)
    form(world, code="oral")
    f.MarkFactory.create(lesson=world.a.lesson, student=world.a.student, value=5, control_form=used)
    with django_assert_max_num_queries(2):
        page = grading(world.a.school.pk)
    assert [s.subject is None for s in page.schemes] == [True, False]
    assert [(c.code, c.in_use) for c in page.control_forms] == [("oral", False), ("test", True)]


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_grading_pages_save_and_refuse_in_place(world, en):
    en.force_login(world.a.admin)
    school = world.a.school.pk
    response = en.post(
        f"/school/{school}/control-forms/new/",
        {
            "name_ru": "Диктант",
            "name_en": "Dictation",
            "code": "dictation",
            "default_weight": "11",
            "order": "0",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["default_weight"]
    assert not ControlForm.objects.filter(school_id=school).exists()
    response = en.post(
        f"/school/{school}/control-forms/new/",
        {
            "name_ru": "Диктант",
            "name_en": "Dictation",
            "code": "dictation",
            "default_weight": "2",
            "order": "0",
        },
    )
    assert response.status_code == 302
    made = ControlForm.objects.get(school_id=school)
    assert "Dictation" in en.get(f"/school/{school}/grading/").content.decode()
    f.MarkFactory.create(lesson=world.a.lesson, student=world.a.student, value=5, control_form=made)
    response = en.post(f"/school/{school}/control-forms/{made.pk}/delete/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert ControlForm.objects.filter(pk=made.pk).exists()
    response = en.post(
        f"/school/{school}/grading/schemes/new/", {"subject": "", "scale": "five", "round_up_from": "0.6"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["b.admin", "a.class_teacher", "a.subject_teacher", "a.parent", "a.student"])
def test_the_grading_rows_pages_are_404_for_anyone_but_the_schools_admin(world, en, who):
    owner, name = who.split(".")
    made = f.ControlFormFactory.create(school=world.a.school)
    default = GradingScheme.objects.create(school=world.a.school, scale=Scale.FIVE)
    en.force_login(getattr(getattr(world, owner), name))
    school = world.a.school.pk
    for url in (
        f"/school/{school}/control-forms/{made.pk}/",
        f"/school/{school}/grading/schemes/{default.pk}/",
    ):
        assert en.get(url).status_code == 404
    assert en.post(f"/school/{school}/control-forms/{made.pk}/delete/").status_code == 404
    assert ControlForm.objects.filter(pk=made.pk).exists()
