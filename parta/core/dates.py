"""The dates a school can mean. Input dates outside them are refused with the field's message:
near the calendar's ends (year 1 or 9999) the date arithmetic that reads ahead or back (a week, the
homework set ahead, a year) overflowed into a 500."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Centuries from either end of what datetime.date holds, so no arithmetic of ours can reach them.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)


def validate_school_date(value: dt.date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            _("Enter a date from %(earliest)s to %(latest)s.")
            % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            code="date_range",
        )
