"""Cards, bracelets and key fobs: the administrator issues, blocks with a reason and replaces
them on the school's cards page; nothing is deleted; anyone else gets 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from parta.passage import services
from parta.passage.models import Card
from parta.passage.selectors import card_read
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def test_issue_block_and_replace_keep_the_history(world: World) -> None:
    a = world.a
    card = services.card_issue(actor=a.admin, school_id=a.school.pk, holder_id=a.student.pk, number=" 0042 ")
    fob = services.card_issue(
        actor=a.admin, school_id=a.school.pk, holder_id=a.student.pk, number="F-1", kind="key_fob"
    )
    assert (card.number, card.kind, card.issued_by) == ("0042", "card", a.admin)
    assert fob.kind == "key_fob"  # one person, several identifiers
    new = services.card_replace(actor=a.admin, school_id=a.school.pk, card_id=card.pk, number="0043")
    card.refresh_from_db()
    assert card.status == "blocked" and card.replaced_by == new and card.blocked_by == a.admin
    assert card.block_reason == "Replaced by 0043"
    assert (new.holder_id, new.kind, new.status) == (a.student.pk, "card", "active")
    services.card_block(actor=a.admin, school_id=a.school.pk, card_id=fob.pk, reason="Lost in the gym")
    fob.refresh_from_db()
    assert (fob.status, fob.block_reason) == ("blocked", "Lost in the gym")
    assert Card.objects.filter(holder=a.student).count() == 3
    read = card_read("0042")
    assert read is not None and not read.active
    assert card_read("0043") is not None and card_read("0043").active  # type: ignore[union-attr]
    assert card_read("nobody") is None


@pytest.mark.parametrize(
    ("number", "holder", "kind", "field"),
    [
        ("", "student", "card", "number"),
        ("x" * 65, "student", "card", "number"),
        ("TAKEN", "student", "card", "number"),
        ("NEW", "outsider", "card", "holder"),
        ("NEW", "b_student", "card", "holder"),
        ("NEW", "student", "ring", "kind"),
    ],
)
def test_bad_issues_are_refused_with_the_field(
    world: World, number: str, holder: str, kind: str, field: str
) -> None:
    Card.objects.create(school=world.b.school, holder=world.b.student, number="TAKEN")
    people = {"student": world.a.student, "outsider": world.outsider, "b_student": world.b.student}
    with pytest.raises(ValidationError) as error:
        services.card_issue(
            actor=world.a.admin,
            school_id=world.a.school.pk,
            holder_id=people[holder].pk,
            number=number,
            kind=kind,
        )
    assert field in error.value.message_dict
    assert Card.objects.count() == 1


def test_staff_get_cards_too_and_blocking_needs_a_reason(world: World) -> None:
    card = services.card_issue(
        actor=world.a.admin, school_id=world.a.school.pk, holder_id=world.a.class_teacher.pk, number="T-1"
    )
    with pytest.raises(ValidationError):
        services.card_block(actor=world.a.admin, school_id=world.a.school.pk, card_id=card.pk, reason="  ")
    services.card_block(actor=world.a.admin, school_id=world.a.school.pk, card_id=card.pk, reason="broken")
    with pytest.raises(ValidationError):
        services.card_replace(actor=world.a.admin, school_id=world.a.school.pk, card_id=card.pk, number="T-1")


def test_only_the_schools_administrator_manages_its_cards(world: World) -> None:
    card = Card.objects.create(school=world.a.school, holder=world.a.student, number="A-1")
    for user in (world.b.admin, world.a.class_teacher, world.a.parent, world.outsider):
        with pytest.raises(Http404):
            services.card_issue(
                actor=user, school_id=world.a.school.pk, holder_id=world.a.student.pk, number="Z"
            )
        with pytest.raises(Http404):
            services.card_block(actor=user, school_id=world.a.school.pk, card_id=card.pk, reason="x")
    # Another school's card under this school's address.
    with pytest.raises(Http404):
        services.card_block(actor=world.b.admin, school_id=world.b.school.pk, card_id=card.pk, reason="x")


def test_the_cards_page(world: World, client) -> None:
    a = world.a
    client.force_login(a.admin)
    url = reverse("school-cards", args=[a.school.pk])
    assert client.get(url).status_code == 200
    page = client.get(url, {"group": a.group.pk})
    assert page.status_code == 200 and "no card" in page.content.decode()
    answer = client.post(
        reverse("school-card-issue", args=[a.school.pk]),
        {"holder": a.student.pk, "number": "P-100", "kind": "bracelet", "group": a.group.pk},
    )
    assert answer.status_code == 302 and answer["Location"].endswith(f"?group={a.group.pk}")
    card = Card.objects.get(number="P-100")
    assert card.kind == "bracelet"
    client.post(reverse("school-card-replace", args=[a.school.pk, card.pk]), {"number": "P-101"})
    client.post(
        reverse("school-card-block", args=[a.school.pk, Card.objects.get(number="P-101").pk]),
        {"reason": "lost"},
    )
    text = client.get(url, {"group": a.group.pk}).content.decode()
    assert "P-100" in text and "P-101" in text and "replaced by P-101" in text
    assert "P-100" in client.get(url, {"number": "p-100"}).content.decode()
    # A refused issue says why and writes nothing.
    answer = client.post(
        reverse("school-card-issue", args=[a.school.pk]),
        {"holder": a.student.pk, "number": "P-100"},
        follow=True,
    )
    assert "was issued already" in answer.content.decode()
    staff = client.get(url, {"staff": "1"}).content.decode()
    assert "Class" not in staff or a.class_teacher.last_name in staff
    # Another school's class group, another school's page: 404.
    assert client.get(url, {"group": world.b.group.pk}).status_code == 404
    assert client.get(reverse("school-cards", args=[world.b.school.pk])).status_code == 404
    client.force_login(a.class_teacher)
    assert client.get(url).status_code == 404
