from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    bundle = forms.FileField(
        label=_("OneRoster bundle (zip)"),
        help_text=_(
            "A zip of the CSV files: manifest.csv, orgs.csv, academicSessions.csv, courses.csv, "
            "classes.csv, users.csv, roles.csv (1.2), enrollments.csv, demographics.csv."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the bundle and show what would change, write nothing"),
        required=False,
        initial=True,
    )
