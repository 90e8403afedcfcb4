"""A caller is named apart whether it is a person or a machine, and only machines hold scopes."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from parta.core.principals import MachinePrincipal, has_scope, is_machine, principal_key
from parta.testing.factories import UserFactory


@dataclass
class Turnstile:
    pk: int
    kind: str = "turnstile"
    school_id: int | None = 1
    building_id: int | None = 1
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({"passage:write"}))
    is_machine: bool = True
    is_authenticated: bool = True


def test_a_machine_and_a_person_with_the_same_id_are_two_principals(db) -> None:
    person = UserFactory.create()
    machine = Turnstile(pk=person.pk)
    assert isinstance(machine, MachinePrincipal)
    assert principal_key(machine) == f"machine:{person.pk}"
    assert principal_key(person) == f"user:{person.pk}"
    assert principal_key(AnonymousUser()) == "anonymous"


def test_only_a_machine_holds_scopes(db) -> None:
    person = UserFactory.create()
    assert is_machine(Turnstile(pk=1)) and not is_machine(person)
    assert has_scope(Turnstile(pk=1), "passage:write")
    assert not has_scope(Turnstile(pk=1), "meals:write")
    assert not has_scope(person, "passage:write")
