"""The API token's user comes with the user's roles, in the same statement (schools registers
them with accounts' authentication in its AppConfig.ready)."""

from __future__ import annotations

import pytest

from parta.accounts.authentication import BearerAuthentication
from parta.accounts.models import User
from parta.accounts.services import machine_client_create
from parta.schools.access import roles_of
from parta.schools.models import CityRole, StaffMembership
from parta.testing.factories import (
    CityFactory,
    EnrolmentFactory,
    GuardianshipFactory,
    StaffMembershipFactory,
    UserFactory,
    api_key,
)

pytestmark = pytest.mark.django_db


def test_the_token_brings_its_user_and_the_users_roles_in_one_query(rf, django_assert_num_queries):
    """Every kind of role, as roles_of reads them on their own; no second query for the roles."""
    user = UserFactory.create(is_staff=True)
    teacher = StaffMembershipFactory.create(user=user)
    StaffMembershipFactory.create(user=user, role=StaffMembership.Role.ADMIN)
    GuardianshipFactory.create(guardian=user)
    EnrolmentFactory.create(student=user)
    CityRole.objects.create(user=user, city=CityFactory.create(), role=CityRole.Role.METHODOLOGIST)
    StaffMembershipFactory.create(school=teacher.school)  # someone else's role
    request = rf.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {api_key(user)}")
    with django_assert_num_queries(1):
        found = BearerAuthentication().authenticate(request)
        assert found is not None
        roles = roles_of(found[0])
    assert roles == roles_of(User.objects.get(pk=user.pk))
    assert all(
        [roles.is_teacher, roles.is_admin, roles.is_guardian, roles.is_student, roles.is_methodologist]
    )


def test_a_token_without_roles_brings_a_user_without_roles(rf):
    request = rf.get("/", HTTP_AUTHORIZATION=f"Bearer {api_key(UserFactory.create())}")
    found = BearerAuthentication().authenticate(request)
    assert found is not None
    assert roles_of(found[0]).names == []


def test_a_machine_client_has_no_roles_even_where_its_key_is_a_users(django_assert_num_queries):
    client, _secret = machine_client_create(
        by=None, kind="clinic", name="Clinic", scopes=["attendance:clinic"]
    )
    StaffMembershipFactory.create(user=UserFactory.create(pk=client.pk), role=StaffMembership.Role.ADMIN)
    with django_assert_num_queries(0):
        assert roles_of(client).names == []
