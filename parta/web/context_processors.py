from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parta.library.selectors.moderation import queue_count
from parta.messaging.notifications import unread_count
from parta.messaging.selectors import unread_total
from parta.schools.access import Roles, roles_of
from parta.web.selectors import header_school


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    section: str


ROLE_LABELS = {
    "admin": _("School administrator"),
    "teacher": _("Teacher"),
    "methodologist": _("Methodologist"),
    "parent": _("Parent"),
    "student": _("Student"),
}


def _menu(roles: Roles, is_staff: bool) -> list[MenuItem]:
    """The role menu: built from the roles read once per request, no further query."""
    if not roles.user_id:
        return []
    items = [MenuItem(str(_("Home")), reverse("home"), "home")]
    if roles.is_student or roles.is_guardian:
        items.append(MenuItem(str(_("Diary")), reverse("diary"), "diary"))
        items.append(MenuItem(str(_("Homework")), reverse("homework-list"), "homework"))
        items.append(MenuItem(str(_("Exam preparation")), reverse("prep-catalogue"), "prep"))
        items.append(MenuItem(str(_("Meals")), reverse("meals"), "meals"))
    if roles.is_teacher or roles.admin_school_ids:
        items.append(MenuItem(str(_("Journal")), reverse("journal"), "journal"))
        if roles.is_teacher:  # the turnstile's flags at one's own lessons (admins: Passages)
            items.append(MenuItem(str(_("In the building")), reverse("passage-today"), "passage"))
        items.append(MenuItem(str(_("Sick notes")), reverse("clinic-notes"), "clinic"))
    if roles.is_student or roles.is_guardian or roles.is_teacher:
        items.append(MenuItem(str(_("Timetable")), reverse("timetable"), "timetable"))
    if roles.is_guardian or roles.is_teacher or roles.admin_school_ids:
        items.append(MenuItem(str(_("Messages")), reverse("messaging-inbox"), "messages"))
    # The library is everyone's: each role finds in it what it may open.
    items.append(MenuItem(str(_("Library")), reverse("library-catalogue"), "library"))
    if roles.is_teacher or roles.is_methodologist:
        items.append(MenuItem(str(_("My materials")), reverse("library-mine"), "library-mine"))
    if roles.is_methodologist:
        items.append(MenuItem(str(_("Review queue")), reverse("library-queue"), "library-review"))
    if roles.admin_school_ids:
        school_id = min(roles.admin_school_ids)
        items += [
            MenuItem(str(_("Class groups")), reverse("school-classes", args=[school_id]), "classes"),
            MenuItem(str(_("Staff")), reverse("school-staff", args=[school_id]), "staff"),
            MenuItem(str(_("Assignments")), reverse("school-assignments", args=[school_id]), "assignments"),
            MenuItem(str(_("Study periods")), reverse("school-periods", args=[school_id]), "periods"),
            MenuItem(str(_("Buildings")), reverse("school-buildings", args=[school_id]), "buildings"),
            MenuItem(
                str(_("Weekly timetable")), reverse("school-timetable", args=[school_id]), "school-timetable"
            ),
            MenuItem(
                str(_("Substitutions")),
                reverse("school-substitutions", args=[school_id]),
                "school-subs",
            ),
            MenuItem(str(_("Bells")), reverse("school-bells", args=[school_id]), "bells"),
            MenuItem(str(_("Grading")), reverse("school-grading", args=[school_id]), "grading"),
            MenuItem(str(_("Devices")), reverse("school-devices", args=[school_id]), "devices"),
            MenuItem(str(_("Cards")), reverse("school-cards", args=[school_id]), "cards"),
            MenuItem(str(_("Passages")), reverse("school-passages", args=[school_id]), "passages"),
            MenuItem(str(_("Cafeteria")), reverse("school-meals", args=[school_id]), "school-meals"),
        ]
    if roles.is_superuser or is_staff:
        items.append(MenuItem(str(_("Back office")), reverse("admin:index"), "admin"))
    return items


_SECTIONS = (
    ("library", "library"),
    ("timetable", "timetable"),
    ("diary", "diary"),
    ("homework", "homework"),
    ("prep", "prep"),
    ("journal", "journal"),
    ("school-journal", "journal"),
    ("messaging", "messages"),
    ("notification", "notifications"),
    ("school-class", "classes"),
    ("school-subgroup", "classes"),
    ("school-building", "buildings"),
    ("school-room", "buildings"),
    ("school-holiday", "periods"),
    ("school-bell", "bells"),
    ("school-timetable", "school-timetable"),
    ("school-substitutions", "school-subs"),
    ("school-lesson", "school-subs"),
    ("school-grading", "grading"),
    ("school-control-form", "grading"),
    ("school-staff", "staff"),
    ("school-sign-in", "staff"),
    ("school-assignment", "assignments"),
    ("school-period", "periods"),
    ("school-year", "periods"),
    ("school-device", "devices"),
    ("school-card", "cards"),
    ("school-passages", "passages"),
    ("school-meals", "school-meals"),
    ("meals", "meals"),
    ("passage", "passage"),
    ("clinic", "clinic"),
    ("library-mine", "library-mine"),
    ("library-new", "library-mine"),
    ("library-edit", "library-mine"),
    ("library-version", "library-mine"),
    ("library-compare", "library-mine"),
    ("library-queue", "library-review"),
    ("library-review", "library-review"),
)


def _section(request: HttpRequest) -> str:
    """Which menu item the current page belongs to, from its URL name."""
    match = getattr(request, "resolver_match", None)
    name = (match.url_name or "") if match else ""
    return next((section for prefix, section in _SECTIONS if name.startswith(prefix)), name)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The roles of the signed-in user, the role menu and the header's school name."""
    roles = roles_of(request.user)

    @cache
    def school_name() -> str | None:
        # Called by the template only when it draws the header: one query, none on pages without it.
        return header_school(roles) if roles.user_id else None

    @cache
    def unread() -> dict[str, int]:
        # Only pages that draw the header ask: two indexed counts.
        if not roles.user_id:
            return {"notifications": 0, "messages": 0}
        return {
            "notifications": unread_count(request.user),
            "messages": unread_total(request.user),
        }

    @cache
    def review_queue() -> int:
        # Only when the menu draws the methodologist's item: one count on the queue's index.
        return queue_count(roles)

    return {
        "roles": roles,
        # Not "unread": pages name their own counts so, and would hide the header's.
        "header_unread": unread,
        "role_labels": [str(ROLE_LABELS[name]) for name in roles.names]
        + ([str(_("Superuser"))] if roles.is_superuser else []),
        "menu": _menu(roles, bool(getattr(request.user, "is_staff", False))),
        "menu_section": _section(request),
        "header_school": school_name,
        "review_queue": review_queue,
    }
