from __future__ import annotations

import pytest

from parta.curriculum.models import PlanItem
from parta.curriculum.services import (
    framework_import,
    thematic_plan_build_default,
    thematic_plans_build_default,
)
from parta.curriculum.tests.framework_documents import document
from parta.schools.models import Subject, TeachingAssignment
from parta.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment():
    assert framework_import([document()]).ok
    group = f.ClassGroupFactory.create(grade=7)
    return f.TeachingAssignmentFactory.create(class_group=group, subject=Subject.objects.get(code="algebra"))


def test_the_default_plan_holds_the_grades_topics_in_teaching_order(assignment):
    plan = thematic_plan_build_default(assignment)
    items = list(plan.items.order_by("order").values_list("order", "topic__code", "hours", "school_id"))
    school = assignment.school_id
    assert items == [
        (1, "ALG-07-01-01", 4, school),
        (2, "ALG-07-01-02", 3, school),
        (3, "ALG-07-02-01", 5, school),
    ]
    assert plan.school_id == school


def test_building_again_replaces_the_items(assignment):
    first = thematic_plan_build_default(assignment)
    second = thematic_plan_build_default(assignment)
    assert first.pk == second.pk
    assert second.items.count() == 3


def test_a_subject_without_topics_gets_an_empty_plan():
    plan = thematic_plan_build_default(f.TeachingAssignmentFactory.create())
    assert plan.items.count() == 0


def test_many_plans_are_built_in_a_fixed_number_of_queries(assignment, django_assert_max_num_queries):
    algebra = Subject.objects.get(code="algebra")
    others = [
        f.TeachingAssignmentFactory.create(
            class_group=f.ClassGroupFactory.create(grade=grade), subject=algebra
        )
        for grade in (7, 7, 8, 9)
    ]
    assignments = TeachingAssignment.objects.filter(
        pk__in=[assignment.pk, *(a.pk for a in others)]
    ).select_related("class_group")
    with django_assert_max_num_queries(8):
        plans = thematic_plans_build_default(assignments)
    by_grade = {plan.assignment.class_group.grade: plan.items.count() for plan in plans}
    assert by_grade == {7: 3, 8: 1, 9: 0}
    again = thematic_plans_build_default(assignments)
    assert [plan.pk for plan in again] == [plan.pk for plan in plans]
    assert PlanItem.objects.filter(plan__in=again).count() == 3 + 3 + 3 + 1
