"""The thematic plan of a journal: its teacher (or the school's administrator) orders the topics,
gives them hours, removes and adds framework topics; the lessons from today on follow."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from parta.curriculum import selectors as curriculum
from parta.curriculum.services import thematic_plan_save
from parta.journal.access import access_assignment, can_write_assignment


def _items(post: QueryDict) -> list[tuple[int, int]]:
    """The rows of the form — topic, hours, place — without the removed ones, in the order given,
    and the added topic last. ValueError for a number that is not one."""
    removed = set(post.getlist("remove"))
    rows = [
        (int(order), index, int(topic), int(hours))
        for index, (topic, hours, order) in enumerate(
            zip(post.getlist("topic"), post.getlist("hours"), post.getlist("order"), strict=True)
        )
        if topic not in removed
    ]
    items = [(topic, hours) for _order, _index, topic, hours in sorted(rows)]
    if added := post.get("add_topic"):
        items.append((int(added), int(post.get("add_hours") or 1)))
    return items


@login_required
def plan(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment(request.user, assignment_id)
    writable = can_write_assignment(request.user, assignment)
    current = curriculum.plan_of(assignment.pk)
    errors: list[str] = []
    if request.method == "POST" and writable and current is not None:
        try:
            thematic_plan_save(request.user, current.id, _items(request.POST))
        except ValueError:
            errors = [_("Give the hours and places as whole numbers.")]
        except ValidationError as error:
            errors = [m for texts in error.message_dict.values() for m in texts]
        else:
            messages.success(request, _("The plan is saved; the lessons from today on follow it."))
            return redirect("journal-plan", assignment_id=assignment.pk)
    in_plan = {item.topic_id for item in current.items} if current else set()
    context = {
        "assignment": assignment,
        "plan": current,
        "writable": writable and current is not None,
        "errors": errors,
        "topics": [
            t
            for t in curriculum.framework_topics(assignment.subject_id, assignment.class_group.grade)
            if t.topic_id not in in_plan
        ],
        "title": _("Thematic plan"),
    }
    return render(request, "journal/plan.html", context, status=400 if errors else 200)
