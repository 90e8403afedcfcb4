"""What the school administrator's pages share (and the pages other apps add to the school's admin
area, such as the bells and grading): the school and year of a page, a class group of the school."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone

from parta.schools import selectors
from parta.schools.access import access_class_group, access_school
from parta.schools.models import AcademicYear, ClassGroup, School


def school_admin_page(request: HttpRequest, school_id: int, section: str) -> tuple[School, dict[str, Any]]:
    """The school (404 for anyone but its administrator) and the context of a page of its admin
    area: the school's years, the one chosen (``?year=``, else the current one) and the menu section."""
    school = access_school(request.user, school_id, for_admin=True)
    years = selectors.school_years(school)
    year = selectors.choose_year(years, request.GET.get("year"), timezone.localdate())
    return school, {"school": school, "years": years, "year": year, "section": section}


def year_query(year: AcademicYear | None) -> str:
    return f"?year={year.pk}" if year else ""


def school_class_group(request: HttpRequest, school: School, class_group_id: int) -> ClassGroup:
    group = access_class_group(request.user, class_group_id)
    if group.school_id != school.pk:
        # Another school's group under this school's address: not found, as for any stranger.
        raise Http404
    return group
