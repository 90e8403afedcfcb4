"""A school's machine clients: its administrator creates, rotates and revokes them on
/school/<id>/devices/; the operator creates them with device_create and machine_client_create."""

from __future__ import annotations

import io
from operator import attrgetter

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from parta.accounts.models import MachineCall, MachineClient, credential_hash
from parta.schools.models import Building
from parta.schools.services import machine_client_for_school_create
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def building_of(world_school) -> Building:
    return Building.objects.filter(school=world_school.school).first() or Building.objects.create(
        school=world_school.school, name="Main"
    )


def test_the_administrator_adds_a_turnstile_and_sees_its_credential_once(world: World, client):
    client.force_login(world.a.admin)
    url = reverse("school-devices", args=[world.a.school.pk])
    building = building_of(world.a)
    response = client.post(url, {"name": "Main gate", "kind": "turnstile", "building": building.pk})
    assert response.status_code == 200
    machine = MachineClient.objects.get()
    secret = response.context["new_secret"]["credential"]
    assert machine.secret_hash == credential_hash(secret)
    assert (machine.school_id, machine.building_id, machine.created_by) == (
        world.a.school.pk,
        building.pk,
        world.a.admin,
    )
    assert machine.scopes == {"passage:write", "attendance:turnstile"}
    assert secret in response.content.decode()
    # Shown once: the list does not show it again.
    assert secret not in client.get(url).content.decode()


def test_another_schools_building_is_refused(world: World, client):
    client.force_login(world.a.admin)
    url = reverse("school-devices", args=[world.a.school.pk])
    response = client.post(url, {"name": "Gate", "kind": "turnstile", "building": building_of(world.b).pk})
    assert response.status_code == 400
    assert not MachineClient.objects.exists()


def test_rotating_and_revoking_on_the_page(world: World, client):
    machine, old = machine_client_for_school_create(
        actor=world.a.admin, school_id=world.a.school.pk, kind="cash_desk", name="Canteen"
    )
    client.force_login(world.a.admin)
    response = client.post(reverse("school-device-rotate", args=[world.a.school.pk, machine.pk]))
    assert response.status_code == 200
    new = response.context["new_secret"]["credential"]
    machine.refresh_from_db()
    assert machine.secret_hash == credential_hash(new) != credential_hash(old)
    assert machine.rotated_by == world.a.admin
    response = client.post(reverse("school-device-revoke", args=[world.a.school.pk, machine.pk]))
    assert response.status_code == 302
    machine.refresh_from_db()
    assert not machine.is_active and machine.revoked_by == world.a.admin


def test_the_page_lists_last_use_and_recent_calls(world: World, client):
    _machine, secret = machine_client_for_school_create(
        actor=None, school_id=world.a.school.pk, kind="turnstile", name="Main gate"
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    api.get("/api/v1/ping")
    assert MachineCall.objects.count() == 1
    client.force_login(world.a.admin)
    body = client.get(reverse("school-devices", args=[world.a.school.pk])).content.decode()
    assert "Main gate" in body and "GET /api/v1/ping" in body


@pytest.mark.parametrize("who", ["b.admin", "a.class_teacher", "a.parent"])
def test_anyone_but_the_schools_administrator_gets_404(world: World, client, who):
    machine, _secret = machine_client_for_school_create(
        actor=None, school_id=world.a.school.pk, kind="turnstile", name="Gate"
    )
    client.force_login(attrgetter(who)(world))
    school = world.a.school.pk
    assert client.get(reverse("school-devices", args=[school])).status_code == 404
    assert client.post(reverse("school-device-rotate", args=[school, machine.pk])).status_code == 404
    assert client.post(reverse("school-device-revoke", args=[school, machine.pk])).status_code == 404
    machine.refresh_from_db()
    assert machine.is_active and machine.rotated_at is None


def test_another_schools_client_under_this_schools_address_is_404(world: World, client):
    theirs, _secret = machine_client_for_school_create(
        actor=None, school_id=world.b.school.pk, kind="turnstile", name="Gate"
    )
    client.force_login(world.a.admin)
    assert (
        client.post(reverse("school-device-revoke", args=[world.a.school.pk, theirs.pk])).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.is_active


def test_device_create_prints_the_credential_once(world: World):
    building = building_of(world.a)
    out = io.StringIO()
    call_command(
        "device_create", f"--building={building.pk}", "--kind=cash_desk", stdout=out, stderr=io.StringIO()
    )
    machine = MachineClient.objects.get()
    assert machine.secret_hash == credential_hash(out.getvalue().strip())
    assert (machine.kind, machine.school_id, machine.building_id, machine.scopes) == (
        "cash_desk",
        world.a.school.pk,
        building.pk,
        frozenset({"meals:write"}),
    )


def test_device_create_refuses_an_unknown_building(db):
    with pytest.raises(CommandError):
        call_command("device_create", "--building=999999", "--kind=turnstile", stdout=io.StringIO())


def test_machine_client_create_makes_a_city_wide_partner(db):
    out = io.StringIO()
    call_command(
        "machine_client_create",
        "--kind=clinic",
        "--scope=attendance:clinic",
        stdout=out,
        stderr=io.StringIO(),
    )
    machine = MachineClient.objects.get()
    assert machine.school_id is None
    assert machine.scopes == {"attendance:clinic"}
    credential, signing_secret = out.getvalue().split()
    assert machine.secret_hash == credential_hash(credential)
    assert signing_secret == machine.signing_secret  # a clinic signs its notes


def test_machine_client_create_refuses_an_unknown_school(db):
    with pytest.raises(CommandError):
        call_command("machine_client_create", "--kind=clinic", "--school=999999", stdout=io.StringIO())
