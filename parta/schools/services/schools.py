"""A new school and its first administrator, for an operator starting from an empty database."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parta.accounts.models import User
from parta.core.errors import FieldErrors
from parta.schools.models import City, District, School, StaffMembership
from parta.schools.services.common import USERNAME_MAX_LENGTH, NewPerson, _check_new_person, _new_user

SCHOOL_NAME_MAX_LENGTH = 300  # School.name
SCHOOL_SHORT_NAME_MAX_LENGTH = 100  # School.short_name
PLACE_NAME_MAX_LENGTH = 200  # City.name, District.name


@dataclass
class NewSchool:
    school: School
    admin: User
    # The administrator's first password, shown once to the operator who hands it over.
    password: str


def school_create(
    *,
    city: str,
    district: str,
    name: str,
    short_name: str,
    admin_username: str,
    admin: NewPerson,
) -> NewSchool:
    """A school and its first administrator, for an operator starting from an empty database
    (``manage.py school_create``); the city and the district are found by name or made. The
    administrator then builds the school through the pages: class groups, teachers, students."""
    city, district, name = city.strip(), district.strip(), name.strip()
    short_name, admin_username = short_name.strip() or name, admin_username.strip()
    errors = FieldErrors()
    for field_name, value, limit in (
        ("city", city, PLACE_NAME_MAX_LENGTH),
        ("district", district, PLACE_NAME_MAX_LENGTH),
        ("name", name, SCHOOL_NAME_MAX_LENGTH),
        ("short_name", short_name, SCHOOL_SHORT_NAME_MAX_LENGTH),
        ("admin_username", admin_username, USERNAME_MAX_LENGTH),
    ):
        if not value:
            errors.add(field_name, _("This field is required."))
        elif len(value) > limit:
            errors.add(field_name, _("Use at most %(max)d characters.") % {"max": limit})
    _check_new_person(errors, "admin", admin)
    if admin_username and User.objects.filter(username=admin_username).exists():
        errors.add("admin_username", _("This login is already in use."))
    errors.raise_if_any()
    with transaction.atomic():
        city_row = City.objects.filter(name=city).first() or City.objects.create(name=city)
        district_row = District.objects.filter(city=city_row, name=district).first()
        district_row = district_row or District.objects.create(city=city_row, name=district)
        school = School.objects.create(city=city_row, district=district_row, name=name, short_name=short_name)
        user, password = _new_user(admin)
        user.username = admin_username
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # Taken between the look-up and the insert.
            raise ValidationError({"admin_username": [_("This login is already in use.")]}) from None
        StaffMembership.objects.create(school=school, user=user, role=StaffMembership.Role.ADMIN)
    return NewSchool(school=school, admin=user, password=password)
