"""Reads of conversations for pages and the API, each in a fixed number of queries.

Unread means: a message in one of my conversations, not written by me, newer than the moment I
last read that conversation (``Participant.last_read_at``; never read — all of them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship, User
from parta.core.i18n import pick
from parta.core.names import class_group_name, short_name
from parta.messaging.access import (
    access_participant,
    class_groups_announceable_by,
    contacts_q,
)
from parta.messaging.models import Conversation, Message, MessageAttachment, Participant
from parta.schools.access import Roles, roles_of, staff_class_groups
from parta.schools.models import ClassGroup, Enrolment, StaffMembership, TeachingAssignment

# "Never read": older than any message.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PREVIEW_LENGTH = 140
# A thread shows its latest messages; older ones are not what a parent opens it for.
THREAD_LIMIT = 300


def _read_mark(column: str) -> Coalesce:
    return Coalesce(F(column), Value(_EPOCH))


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str


@dataclass
class InboxRow:
    id: int
    kind: str
    topic: str
    class_group: str | None
    student: PersonRef | None
    last_message_at: dt.datetime | None
    preview: str
    last_author_id: int | None
    unread: int
    can_write: bool
    others: list[PersonRef] = field(default_factory=list)

    @property
    def is_announcement(self) -> bool:
        return self.kind == Conversation.Kind.ANNOUNCEMENT

    @property
    def title(self) -> str:
        """Who it is with: the class group of an announcement, the other people of a conversation."""
        if self.is_announcement and self.class_group:
            return _("Class %(group)s") % {"group": self.class_group}
        return ", ".join(person.name for person in self.others) or "—"


def _unread_subquery(user_id: int) -> Subquery:
    """Per participant row (the outer query): how many messages of its conversation are unread."""
    return Subquery(
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            created_at__gt=Coalesce(OuterRef("last_read_at"), Value(_EPOCH)),
        )
        .exclude(author_id=user_id)
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def inbox(
    user: Any, *, limit: int = 50, offset: int = 0, unread_only: bool = False
) -> tuple[int, list[InboxRow]]:
    """The user's conversations, latest first, with the last message and the unread count:
    three queries (the count, the page, the other participants of the page)."""
    roles = roles_of(user)
    if not roles.user_id:
        return 0, []
    last = Message.objects.filter(conversation_id=OuterRef("conversation_id")).order_by("-created_at", "-pk")
    rows_qs = (
        Participant.objects.filter(user_id=roles.user_id)
        .annotate(
            unread=Coalesce(_unread_subquery(roles.user_id), Value(0)),
            preview=Subquery(last.values("body")[:1]),
            last_author_id=Subquery(last.values("author_id")[:1]),
        )
        .order_by(F("conversation__last_message_at").desc(nulls_last=True), "-conversation_id")
    )
    if unread_only:
        rows_qs = rows_qs.filter(unread__gt=0)
    total = rows_qs.count()
    rows = list(
        rows_qs.values(
            "conversation_id",
            "can_write",
            "unread",
            "preview",
            "last_author_id",
            "conversation__kind",
            "conversation__topic",
            "conversation__last_message_at",
            "conversation__class_group__grade",
            "conversation__class_group__letter",
            "conversation__student_id",
            "conversation__student__last_name",
            "conversation__student__first_name",
            "conversation__student__middle_name",
        )[offset : offset + limit]
    )
    result = [
        InboxRow(
            id=row["conversation_id"],
            kind=row["conversation__kind"],
            topic=row["conversation__topic"],
            class_group=(
                class_group_name(
                    row["conversation__class_group__grade"], row["conversation__class_group__letter"]
                )
                if row["conversation__class_group__grade"] is not None
                else None
            ),
            student=(
                PersonRef(
                    row["conversation__student_id"],
                    short_name(
                        row["conversation__student__last_name"],
                        row["conversation__student__first_name"],
                        row["conversation__student__middle_name"],
                    ),
                )
                if row["conversation__student_id"]
                else None
            ),
            last_message_at=row["conversation__last_message_at"],
            preview=_preview(row["preview"] or ""),
            last_author_id=row["last_author_id"],
            unread=row["unread"] or 0,
            can_write=row["can_write"],
        )
        for row in rows
    ]
    _add_others(roles.user_id, result)
    return total, result


def _preview(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"


def _add_others(user_id: int, rows: list[InboxRow]) -> None:
    """The other people of the direct conversations on the page: one query (none for none).
    An announcement's families are not listed: the class group names them."""
    direct = {row.id: row for row in rows if not row.is_announcement}
    if not direct:
        return
    for person in (
        Participant.objects.filter(conversation_id__in=direct)
        .exclude(user_id=user_id)
        .order_by("user__last_name", "user_id")
        .values(
            "conversation_id",
            "user_id",
            "user__last_name",
            "user__first_name",
            "user__middle_name",
            "user__username",
        )
    ):
        name = short_name(person["user__last_name"], person["user__first_name"], person["user__middle_name"])
        direct[person["conversation_id"]].others.append(
            PersonRef(person["user_id"], name or person["user__username"])
        )


def unread_total(user: Any) -> int:
    """How many messages the user has not read, over all their conversations: one query."""
    roles = roles_of(user)
    if not roles.user_id:
        return 0
    return (
        Message.objects.filter(
            # One filter() call: the participant row of the condition is the same joined row.
            conversation__participants__user_id=roles.user_id,
            created_at__gt=_read_mark("conversation__participants__last_read_at"),
        )
        .exclude(author_id=roles.user_id)
        .count()
    )


@dataclass(frozen=True)
class UnreadThread:
    """A conversation with messages the user has not read: what a home page lists, and whom it
    is about — the child of a parent ↔ teacher conversation, the class group of an announcement."""

    id: int
    topic: str
    unread: int
    preview: str
    last_message_at: dt.datetime | None
    student_id: int | None
    class_group_id: int | None


def unread_threads(user: Any, *, limit: int = 50) -> list[UnreadThread]:
    """The user's conversations with unread messages, latest first: one query."""
    roles = roles_of(user)
    if not roles.user_id:
        return []
    last = Message.objects.filter(conversation_id=OuterRef("conversation_id")).order_by("-created_at", "-pk")
    rows = (
        Participant.objects.filter(user_id=roles.user_id)
        .annotate(unread=_unread_subquery(roles.user_id), preview=Subquery(last.values("body")[:1]))
        .filter(unread__gt=0)
        .order_by(F("conversation__last_message_at").desc(nulls_last=True), "-conversation_id")
        .values(
            "conversation_id",
            "conversation__topic",
            "unread",
            "preview",
            "conversation__last_message_at",
            "conversation__student_id",
            "conversation__class_group_id",
        )[:limit]
    )
    return [
        UnreadThread(
            id=row["conversation_id"],
            topic=row["conversation__topic"],
            unread=row["unread"],
            preview=_preview(row["preview"] or ""),
            last_message_at=row["conversation__last_message_at"],
            student_id=row["conversation__student_id"],
            class_group_id=row["conversation__class_group_id"],
        )
        for row in rows
    ]


# --- one conversation --------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    name: str
    size: int


@dataclass
class MessageRow:
    id: int
    author: PersonRef
    body: str
    created_at: dt.datetime
    is_mine: bool
    is_unread: bool
    attachments: list[AttachmentRow] = field(default_factory=list)


@dataclass
class ConversationPage:
    id: int
    kind: str
    topic: str
    school_id: int
    class_group: str | None
    student: PersonRef | None
    can_write: bool
    last_read_at: dt.datetime | None
    participants: list[PersonRef]
    participant_count: int
    messages: list[MessageRow]
    has_older: bool

    @property
    def is_announcement(self) -> bool:
        return self.kind == Conversation.Kind.ANNOUNCEMENT


def _person(row: dict[str, Any], prefix: str) -> PersonRef:
    name = short_name(
        row[f"{prefix}__last_name"], row[f"{prefix}__first_name"], row[f"{prefix}__middle_name"]
    )
    return PersonRef(row[f"{prefix}_id"], name or row[f"{prefix}__username"])


def _person_columns(prefix: str) -> tuple[str, ...]:
    return (
        f"{prefix}_id",
        f"{prefix}__last_name",
        f"{prefix}__first_name",
        f"{prefix}__middle_name",
        f"{prefix}__username",
    )


# An announcement lists at most this many of its families by name; the rest are counted.
PARTICIPANTS_SHOWN = 50


def conversation_page(user: Any, conversation_id: int) -> ConversationPage:
    """A conversation the user takes part in (404 otherwise) with its latest messages, their
    authors and files: four queries whatever the number of messages and files."""
    participant = access_participant(user, conversation_id)
    conversation = participant.conversation
    people = list(
        Participant.objects.filter(conversation_id=conversation.pk)
        .order_by("-can_write", "user__last_name", "user_id")
        .values(*_person_columns("user"))[: PARTICIPANTS_SHOWN + 1]
    )
    messages = list(
        Message.objects.filter(conversation_id=conversation.pk)
        .order_by("-created_at", "-pk")
        .values("id", "body", "created_at", *_person_columns("author"))[: THREAD_LIMIT + 1]
    )
    has_older = len(messages) > THREAD_LIMIT
    messages = messages[:THREAD_LIMIT][::-1]
    rows = {
        m["id"]: MessageRow(
            id=m["id"],
            author=_person(m, "author"),
            body=m["body"],
            created_at=m["created_at"],
            is_mine=m["author_id"] == participant.user_id,
            is_unread=m["author_id"] != participant.user_id
            and (participant.last_read_at is None or m["created_at"] > participant.last_read_at),
        )
        for m in messages
    }
    if rows:
        for a in (
            MessageAttachment.objects.filter(message_id__in=rows)
            .order_by("pk")
            .values("id", "message_id", "name", "size")
        ):
            rows[a["message_id"]].attachments.append(AttachmentRow(a["id"], a["name"], a["size"]))
    group = conversation.class_group
    student = conversation.student
    count = len(people)
    if count > PARTICIPANTS_SHOWN:
        count = Participant.objects.filter(conversation_id=conversation.pk).count()
    return ConversationPage(
        id=conversation.pk,
        kind=conversation.kind,
        topic=conversation.topic,
        school_id=conversation.school_id,
        class_group=group.name if group else None,
        student=PersonRef(student.pk, student.short_name) if student else None,
        can_write=participant.can_write,
        last_read_at=participant.last_read_at,
        participants=[_person(p, "user") for p in people[:PARTICIPANTS_SHOWN]],
        participant_count=count,
        messages=list(rows.values()),
        has_older=has_older,
    )


# --- contacts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactRow:
    """Someone the user may write to; ``student`` is the child who links them, if any."""

    id: int
    name: str
    note: str
    student: PersonRef | None = None

    @property
    def key(self) -> str:
        """The value of this contact in the new-conversation form: «person» or «person:child»."""
        return f"{self.id}:{self.student.id}" if self.student else str(self.id)


@dataclass
class ContactGroup:
    title: str
    contacts: list[ContactRow] = field(default_factory=list)


def contact_groups(user: Any) -> list[ContactGroup]:
    """The people the user may write to, grouped: a guardian's per child (the child's teachers)
    and the school administration; a teacher's per class group (the families) and colleagues.
    A fixed number of queries whatever the size of the school."""
    roles = roles_of(user)
    if not roles.user_id:
        return []
    allowed = set(User.objects.filter(contacts_q(user)).values_list("pk", flat=True))
    groups: list[ContactGroup] = []
    if roles.child_ids:
        groups += _groups_of_guardian(roles.child_ids, allowed)
    if roles.staff_school_ids:
        groups += _groups_of_staff(roles, allowed)
    return [group for group in groups if group.contacts]


def _name(row: dict[str, Any], prefix: str) -> str:
    return short_name(
        row[f"{prefix}__last_name"], row[f"{prefix}__first_name"], row[f"{prefix}__middle_name"]
    )


def _groups_of_guardian(child_ids: frozenset[int], allowed: set[int]) -> list[ContactGroup]:
    enrolments = list(
        Enrolment.objects.filter(student_id__in=child_ids)
        .order_by("student__first_name", "student_id", "-year__starts_on")
        .values(
            "student_id",
            "school_id",
            "class_group_id",
            "class_group__grade",
            "class_group__letter",
            "class_group__class_teacher_id",
            *_person_columns("student"),
            *_person_columns("class_group__class_teacher"),
        )
    )
    group_ids = {e["class_group_id"] for e in enrolments}
    taught: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    teacher_names: dict[int, str] = {}
    for t in (
        TeachingAssignment.objects.filter(class_group_id__in=group_ids)
        .order_by("subject__order", "subject__code")
        .values("class_group_id", "subject__name_ru", "subject__name_en", *_person_columns("teacher"))
    ):
        subject = pick(t["subject__name_ru"], t["subject__name_en"])
        if subject not in taught[t["class_group_id"]][t["teacher_id"]]:
            taught[t["class_group_id"]][t["teacher_id"]].append(subject)
        teacher_names[t["teacher_id"]] = _name(t, "teacher") or t["teacher__username"]
    groups: list[ContactGroup] = []
    seen_children: set[int] = set()
    for e in enrolments:
        if e["student_id"] in seen_children:
            continue  # an earlier year's class
        seen_children.add(e["student_id"])
        child = _person(e, "student")
        group = ContactGroup(
            _("Teachers of %(child)s (%(group)s)")
            % {
                "child": child.name,
                "group": class_group_name(e["class_group__grade"], e["class_group__letter"]),
            }
        )
        lead = e["class_group__class_teacher_id"]
        if lead is not None and lead in allowed:
            subjects = taught[e["class_group_id"]].get(lead, [])
            note = _("class teacher")
            if subjects:
                note = _("class teacher, %(subjects)s") % {"subjects": ", ".join(subjects)}
            group.contacts.append(
                ContactRow(lead, _person(e, "class_group__class_teacher").name, note, child)
            )
        for teacher_id, subjects in taught[e["class_group_id"]].items():
            if teacher_id != lead and teacher_id in allowed:
                group.contacts.append(
                    ContactRow(teacher_id, teacher_names[teacher_id], ", ".join(subjects), child)
                )
        groups.append(group)
    school_ids = {e["school_id"] for e in enrolments}
    admins = ContactGroup(_("School administration"))
    for s in (
        StaffMembership.objects.filter(school_id__in=school_ids, role=StaffMembership.Role.ADMIN)
        .order_by("user__last_name", "user_id")
        .values("position", *_person_columns("user"))
    ):
        if s["user_id"] in allowed and all(c.id != s["user_id"] for c in admins.contacts):
            admins.contacts.append(
                ContactRow(s["user_id"], _person(s, "user").name, s["position"] or _("administrator"))
            )
    groups.append(admins)
    return groups


def _groups_of_staff(roles: Roles, allowed: set[int]) -> list[ContactGroup]:
    families: dict[int, ContactGroup] = {}
    for e in (
        Enrolment.objects.filter(
            class_group__in=ClassGroup.objects.filter(staff_class_groups(roles)),
            student__guardian_links__isnull=False,
        )
        .order_by(
            "-year__starts_on",
            "class_group__grade",
            "class_group__letter",
            "student__last_name",
            "student__first_name",
            "student_id",
            "student__guardian_links__guardian__last_name",
        )
        .values(
            "class_group_id",
            "class_group__grade",
            "class_group__letter",
            "student__guardian_links__relation",
            *_person_columns("student"),
            *_person_columns("student__guardian_links__guardian"),
        )
    ):
        guardian_id = e["student__guardian_links__guardian_id"]
        if guardian_id not in allowed:
            continue
        group_id = e["class_group_id"]
        if group_id not in families:
            name = class_group_name(e["class_group__grade"], e["class_group__letter"])
            families[group_id] = ContactGroup(_("Families of %(group)s") % {"group": name})
        child = _person(e, "student")
        relation = str(Guardianship.Relation(e["student__guardian_links__relation"]).label)
        families[group_id].contacts.append(
            ContactRow(
                guardian_id,
                _person(e, "student__guardian_links__guardian").name,
                _("%(relation)s of %(child)s") % {"relation": relation, "child": child.name},
                child,
            )
        )
    colleagues = ContactGroup(_("Colleagues"))
    seen: set[int] = set()
    for s in (
        StaffMembership.objects.filter(school_id__in=roles.staff_school_ids)
        .exclude(user_id=roles.user_id)
        .order_by("user__last_name", "user__first_name", "user_id")
        .values("role", "position", *_person_columns("user"))
    ):
        if s["user_id"] in allowed and s["user_id"] not in seen:
            seen.add(s["user_id"])
            note = s["position"] or str(StaffMembership.Role(s["role"]).label)
            colleagues.contacts.append(ContactRow(s["user_id"], _person(s, "user").name, note))
    return [*families.values(), colleagues]


# --- announcements -----------------------------------------------------------------------


@dataclass(frozen=True)
class GroupChoice:
    id: int
    name: str
    school_id: int


def announceable_groups(user: Any) -> list[GroupChoice]:
    """The class groups the user may announce to, latest year first: one query."""
    return [
        GroupChoice(g["pk"], class_group_name(g["grade"], g["letter"]), g["school_id"])
        for g in ClassGroup.objects.filter(class_groups_announceable_by(user))
        .order_by("-year__starts_on", "grade", "letter")
        .values("pk", "grade", "letter", "school_id")
    ]
