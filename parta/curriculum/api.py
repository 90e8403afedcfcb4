"""Read API of the curriculum: the city topic framework and the thematic plans of teaching assignments."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parta.core.api import (
    IdField,
    ListApi,
    NamedRefSerializer,
    Row,
    SubjectRefSerializer,
    error_responses,
    person_columns,
    person_ref_of,
    subject_columns,
    subject_ref_of,
)
from parta.core.i18n import pick
from parta.core.names import class_group_name, subgroup_name
from parta.curriculum.access import access_thematic_plan, plans_readable_by
from parta.curriculum.models import Outcome, PlanItem, ThematicPlan, Topic
from parta.schools.api import TeachingAssignmentRefSerializer
from parta.schools.models import Subject

# --- the topic framework -----------------------------------------------------------------


class SectionRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    title = serializers.CharField()

    class Meta:
        ref_name = "SectionRef"


class TopicRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    title = serializers.CharField()

    class Meta:
        ref_name = "TopicRef"


class OutcomeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    text = serializers.CharField()

    class Meta:
        ref_name = "Outcome"


class TopicSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    title = serializers.CharField()
    subject = SubjectRefSerializer()
    grade = serializers.IntegerField()
    section = SectionRefSerializer()
    hours = serializers.IntegerField()
    outcomes = OutcomeSerializer(many=True)

    class Meta:
        ref_name = "Topic"


_TOPIC_FIELDS = (
    "id",
    "code",
    "title_ru",
    "title_en",
    "grade",
    "hours",
    *subject_columns(),
    "section__code",
    "section__title_ru",
    "section__title_en",
)


def _topics_with_outcomes(rows: list[Row]) -> list[Row]:
    """Topic rows shaped for the API, their outcomes read in one query for the whole page."""
    outcomes: dict[int, list[Row]] = defaultdict(list)
    for outcome in (
        Outcome.objects.filter(topic_id__in=[row["id"] for row in rows])
        .order_by("topic_id", "order")
        .values("topic_id", "code", "text_ru", "text_en")
    ):
        outcomes[outcome["topic_id"]].append(
            {"code": outcome["code"], "text": pick(outcome["text_ru"], outcome["text_en"])}
        )
    return [
        {
            "code": row["code"],
            "title": pick(row["title_ru"], row["title_en"]),
            "subject": subject_ref_of(row),
            "grade": row["grade"],
            "section": {
                "code": row["section__code"],
                "title": pick(row["section__title_ru"], row["section__title_en"]),
            },
            "hours": row["hours"],
            "outcomes": outcomes[row["id"]],
        }
        for row in rows
    ]


def _search(term: str) -> Q:
    # SQLite compares only ASCII letters case-insensitively, so Cyrillic is also tried as typed,
    # in lower case and capitalised (PostgreSQL needs none of this, and it costs it nothing).
    q = Q()
    for variant in {term, term.lower(), term.capitalize()}:
        q |= Q(code__icontains=variant) | Q(title_ru__icontains=variant) | Q(title_en__icontains=variant)
    return q


class TopicListApi(ListApi):
    """Topics of the city framework in teaching order, each with its planned outcomes.

    The framework is the city's public programme: any signed-in user may read it."""

    class FilterSerializer(serializers.Serializer[Any]):
        subject = serializers.SlugField(required=False, help_text=_("Subject code, such as “algebra”."))
        grade = serializers.IntegerField(required=False, min_value=1, max_value=11)
        search = serializers.CharField(
            required=False, max_length=100, help_text=_("Part of a title or code.")
        )

        class Meta:
            ref_name = "TopicFilter"

        def validate_subject(self, value: str) -> str:
            if not Subject.objects.filter(code=value).exists():
                raise serializers.ValidationError(
                    _("There is no subject with the code “%(code)s”.") % {"code": value}
                )
            return value

    @extend_schema(
        operation_id="topics_list",
        tags=["curriculum"],
        parameters=[FilterSerializer],
        responses={200: TopicSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        topics = Topic.objects.all()
        if "subject" in wanted:
            topics = topics.filter(subject__code=wanted["subject"])
        if "grade" in wanted:
            topics = topics.filter(grade=wanted["grade"])
        if wanted.get("search"):
            topics = topics.filter(_search(wanted["search"]))
        rows = topics.order_by(
            "subject__order", "subject__code", "grade", "section__order", "order", "pk"
        ).values(*_TOPIC_FIELDS)
        return self.paginated_response(
            TopicSerializer(_topics_with_outcomes(self.paginate(rows)), many=True).data
        )


class TopicDetailApi(APIView):
    """One framework topic by its stable code."""

    @extend_schema(
        operation_id="topics_retrieve",
        tags=["curriculum"],
        responses={200: TopicSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, code: str) -> Response:
        row = Topic.objects.filter(code=code).values(*_TOPIC_FIELDS).first()
        if row is None:
            raise Http404
        return Response(TopicSerializer(_topics_with_outcomes([row])[0]).data)


# --- thematic plans ------------------------------------------------------------------------


class PlanAssignmentSerializer(TeachingAssignmentRefSerializer):
    class_group = NamedRefSerializer()

    class Meta:
        ref_name = "PlanAssignment"


_PLAN_FIELDS = (
    "id",
    "updated_at",
    "assignment_id",
    "assignment__hours_per_week",
    *subject_columns("assignment__subject"),
    "assignment__class_group_id",
    "assignment__class_group__grade",
    "assignment__class_group__letter",
    "assignment__subgroup__number",
    *person_columns("assignment__teacher"),
    "total_hours",
    "item_count",
)


def _plan(row: Row) -> Row:
    group = class_group_name(row["assignment__class_group__grade"], row["assignment__class_group__letter"])
    return {
        "id": row["id"],
        "updated_at": row["updated_at"],
        "assignment": {
            "id": row["assignment_id"],
            "subject": subject_ref_of(row, "assignment__subject"),
            "class_group": {"id": row["assignment__class_group_id"], "name": group},
            "subgroup": subgroup_name(group, row["assignment__subgroup__number"]),
            "teacher": person_ref_of(row, "assignment__teacher"),
            "hours_per_week": row["assignment__hours_per_week"],
        },
        "total_hours": row["total_hours"] or 0,
        "item_count": row["item_count"],
    }


def _with_totals(plans: QuerySet[ThematicPlan]) -> QuerySet[ThematicPlan]:
    return plans.annotate(total_hours=Sum("items__hours"), item_count=Count("items"))


class PlanSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    assignment = PlanAssignmentSerializer()
    total_hours = serializers.IntegerField()
    item_count = serializers.IntegerField()

    class Meta:
        ref_name = "ThematicPlanListItem"


class ThematicPlanListApi(ListApi):
    """Thematic plans the user may read: a teacher's own, every plan of an administrator's school."""

    class FilterSerializer(serializers.Serializer[Any]):
        class_group = IdField(required=False, help_text=_("Only this class group (id)."))

        class Meta:
            ref_name = "ThematicPlanFilter"

    @extend_schema(
        operation_id="thematic_plans_list",
        tags=["curriculum"],
        parameters=[FilterSerializer],
        responses={200: PlanSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        plans = _with_totals(ThematicPlan.objects.filter(plans_readable_by(request.user)))
        if "class_group" in filters.validated_data:
            plans = plans.filter(assignment__class_group_id=filters.validated_data["class_group"])
        rows = plans.order_by(
            "assignment__class_group__grade",
            "assignment__class_group__letter",
            "assignment__subject__order",
            "assignment__subject__code",
            "assignment__subgroup__number",
            "pk",
        ).values(*_PLAN_FIELDS)
        return self.paginated_response(
            PlanSerializer([_plan(row) for row in self.paginate(rows)], many=True).data
        )


class ThematicPlanDetailApi(APIView):
    """A thematic plan with its topics in teaching order."""

    class OutputSerializer(PlanSerializer):
        class ItemSerializer(serializers.Serializer[Any]):
            order = serializers.IntegerField()
            hours = serializers.IntegerField()
            topic = TopicRefSerializer()
            section = SectionRefSerializer()

            class Meta:
                ref_name = "ThematicPlanItem"

        items = ItemSerializer(many=True)

        class Meta:
            ref_name = "ThematicPlanDetail"

    @extend_schema(
        operation_id="thematic_plans_retrieve",
        tags=["curriculum"],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, plan_id: int) -> Response:
        plan = access_thematic_plan(request.user, plan_id)
        row = _with_totals(ThematicPlan.objects.filter(pk=plan.pk)).values(*_PLAN_FIELDS).get()
        items = (
            PlanItem.objects.filter(plan_id=plan.pk)
            .order_by("order")
            .values(
                "order",
                "hours",
                "topic__code",
                "topic__title_ru",
                "topic__title_en",
                "topic__section__code",
                "topic__section__title_ru",
                "topic__section__title_en",
            )
        )
        data = _plan(row) | {
            "items": [
                {
                    "order": item["order"],
                    "hours": item["hours"],
                    "topic": {
                        "code": item["topic__code"],
                        "title": pick(item["topic__title_ru"], item["topic__title_en"]),
                    },
                    "section": {
                        "code": item["topic__section__code"],
                        "title": pick(item["topic__section__title_ru"], item["topic__section__title_en"]),
                    },
                }
                for item in items
            ]
        }
        return Response(self.OutputSerializer(data).data)
