"""Forms of the school structure pages: they parse typed input and offer the school's own
choices; every rule (ranges, uniqueness, overlaps, who may teach) lives in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parta.accounts.models import Guardianship, MachineClient, User
from parta.core.forms import DateField
from parta.schools.models import (
    AcademicYear,
    Building,
    ClassGroup,
    Room,
    School,
    StudyPeriod,
    Subgroup,
    Subject,
)
from parta.schools.selectors import teachers_of
from parta.schools.services import NewPerson


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The browser's date picker sends ISO dates whatever the page's language.
        super().__init__(attrs, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.username)


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.username)


class RoomChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.building.name})"


class SubgroupChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.subject.name}"


class ClassGroupForm(forms.Form):
    year = forms.ModelChoiceField(
        label=_("Academic year"), queryset=AcademicYear.objects.none(), empty_label=None
    )
    grade = forms.IntegerField(label=_("Grade"), help_text=_("From 1 to 11."))
    letter = forms.CharField(label=_("Letter"), max_length=4, help_text=_("For example “А” for 7А."))
    building = forms.ModelChoiceField(label=_("Building"), queryset=Building.objects.none(), empty_label=None)
    home_room = RoomChoiceField(label=_("Home room"), queryset=Room.objects.none(), required=False)
    class_teacher = PersonChoiceField(label=_("Class teacher"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = AcademicYear.objects.filter(school=school)  # type: ignore[attr-defined]
        self.fields["building"].queryset = Building.objects.filter(school=school)  # type: ignore[attr-defined]
        self.fields["home_room"].queryset = (  # type: ignore[attr-defined]
            Room.objects.filter(school=school).select_related("building").order_by("building__name", "name")
        )
        self.fields["class_teacher"].queryset = User.objects.filter(teachers_of(school)).order_by(  # type: ignore[attr-defined]
            "last_name", "first_name"
        )


class EnrolForm(forms.Form):
    EXISTING, NEW, NONE = "existing", "new", "none"

    student_mode = forms.ChoiceField(
        label=_("Account"),
        choices=[(NEW, _("A new student")), (EXISTING, _("An existing account"))],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    student_username = forms.CharField(label=_("Login of the student"), required=False, max_length=150)
    student_last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    student_first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    student_middle_name = forms.CharField(label=_("Patronymic"), required=False, max_length=150)
    guardian_mode = forms.ChoiceField(
        label=_("Account"),
        choices=[
            (NEW, _("A new guardian")),
            (EXISTING, _("Invite an existing account")),
            (NONE, _("Not now")),
        ],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    guardian_username = forms.CharField(
        label=_("Login or e-mail of the guardian"),
        required=False,
        max_length=254,
        help_text=_("Its holder becomes the guardian after accepting the invitation."),
    )
    guardian_last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    guardian_first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    guardian_middle_name = forms.CharField(label=_("Patronymic"), required=False, max_length=150)
    guardian_email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    relation = forms.ChoiceField(
        label=_("Relation to the student"),
        choices=Guardianship.Relation.choices,
        initial=Guardianship.Relation.MOTHER,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The service cannot tell an empty login from no invitation at all.
        if data.get("guardian_mode") == self.EXISTING and not data.get("guardian_username", "").strip():
            self.add_error("guardian_username", _("Enter the login or the e-mail address of the guardian."))
        return data

    def _person(self, prefix: str) -> NewPerson:
        data = self.cleaned_data
        return NewPerson(
            last_name=data[f"{prefix}_last_name"],
            first_name=data[f"{prefix}_first_name"],
            middle_name=data[f"{prefix}_middle_name"],
            email=data.get(f"{prefix}_email", ""),
        )

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of ``student_enrol`` for the chosen modes (fields of the other mode are ignored)."""
        data = self.cleaned_data
        kwargs: dict[str, Any] = {"relation": data["relation"]}
        if data["student_mode"] == self.EXISTING:
            # An empty login is passed on as it is: the service reports it on its field.
            kwargs["student_username"] = data["student_username"]
        else:
            kwargs["new_student"] = self._person("student")
        if data["guardian_mode"] == self.EXISTING:
            kwargs["guardian_username"] = data["guardian_username"]
        elif data["guardian_mode"] == self.NEW:
            kwargs["new_guardian"] = self._person("guardian")
        return kwargs


class GuardianInviteForm(forms.Form):
    student = PersonChoiceField(label=_("Student"), queryset=User.objects.none())
    login = forms.CharField(
        label=_("Login or e-mail of the guardian"),
        max_length=254,
        help_text=_("Its holder becomes the guardian after accepting the invitation."),
    )
    relation = forms.ChoiceField(
        label=_("Relation to the student"),
        choices=Guardianship.Relation.choices,
        initial=Guardianship.Relation.MOTHER,
    )

    def __init__(self, *args: Any, class_group: ClassGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            enrolments__class_group=class_group
        ).order_by("last_name", "first_name")


class TeachingAssignmentForm(forms.Form):
    class_group = forms.ModelChoiceField(label=_("Class group"), queryset=ClassGroup.objects.none())
    subgroup = SubgroupChoiceField(
        label=_("Subgroup"),
        queryset=Subgroup.objects.none(),
        required=False,
        help_text=_("Only when the class is split for this subject."),
    )
    subject = forms.ModelChoiceField(label=_("Subject"), queryset=Subject.objects.all())
    teacher = PersonChoiceField(label=_("Teacher"), queryset=User.objects.none())
    hours_per_week = forms.IntegerField(label=_("Hours per week"))

    def __init__(self, *args: Any, school: School, year: AcademicYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["class_group"].queryset = ClassGroup.objects.filter(year=year)  # type: ignore[attr-defined]
        self.fields["subgroup"].queryset = (  # type: ignore[attr-defined]
            Subgroup.objects.filter(class_group__year=year)
            .select_related("class_group", "subject")
            .order_by("class_group__grade", "class_group__letter", "subject__order", "number")
        )
        self.fields["teacher"].queryset = User.objects.filter(teachers_of(school)).order_by(  # type: ignore[attr-defined]
            "last_name", "first_name"
        )


class StudyPeriodForm(forms.Form):
    year = forms.ModelChoiceField(
        label=_("Academic year"), queryset=AcademicYear.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=StudyPeriod.Kind.choices)
    # 1–4 fits every kind (four quarters at most); the service checks the number against the kind.
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=4)
    starts_on = DateField(label=_("Starts on"), widget=DateInput())
    ends_on = DateField(label=_("Ends on"), widget=DateInput())

    def __init__(self, *args: Any, school: School, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = AcademicYear.objects.filter(school=school)  # type: ignore[attr-defined]
        if editing:
            # A period stays in its year; moving it is deleting and adding in the back office.
            self.fields["year"].disabled = True


class DeviceForm(forms.Form):
    """A school device: its kind, a name, and the building it stands in."""

    name = forms.CharField(
        label=pgettext_lazy("a device", "Name"),
        max_length=100,
        help_text=_("For example “Main entrance, left”."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (kind.value, kind.label) for kind in (MachineClient.Kind.TURNSTILE, MachineClient.Kind.CASH_DESK)
        ],
    )
    building = forms.ModelChoiceField(label=_("Building"), queryset=Building.objects.none(), required=False)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(school=school)  # type: ignore[attr-defined]


# --- buildings, rooms, holidays ----------------------------------------------------------------


class BuildingForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("a building", "Name"),
        max_length=200,
        help_text=_("For example “Main building” or “Primary school”."),
    )
    address = forms.CharField(label=_("Address"), max_length=300)


class RoomForm(forms.Form):
    building = forms.ModelChoiceField(label=_("Building"), queryset=Building.objects.none(), empty_label=None)
    name = forms.CharField(
        label=_("Room"), max_length=50, help_text=_("A number such as “204”, or a name such as “Gym 1”.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Room.Kind.choices, initial=Room.Kind.CLASSROOM)
    capacity = forms.IntegerField(label=_("Seats"), initial=30, help_text=_("How many students it seats."))

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(school=school).order_by("name")  # type: ignore[attr-defined]


class HolidayForm(forms.Form):
    year = forms.ModelChoiceField(
        label=_("Academic year"), queryset=AcademicYear.objects.none(), empty_label=None
    )
    name = forms.CharField(
        label=pgettext_lazy("a holiday", "Name"),
        max_length=200,
        help_text=_("For example “Autumn holidays” or “National Unity Day”."),
    )
    starts_on = DateField(label=_("First day"), widget=DateInput())
    ends_on = DateField(
        label=_("Last day"), widget=DateInput(), help_text=_("The same day for a single day off.")
    )

    def __init__(self, *args: Any, school: School, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = AcademicYear.objects.filter(school=school)  # type: ignore[attr-defined]
        if editing:
            self.fields["year"].disabled = True


class YearForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("an academic year", "Name"),
        max_length=20,
        help_text=_("For example “2027/2028”."),
    )
    starts_on = DateField(label=_("First day of the year"), widget=DateInput())
    ends_on = DateField(label=_("Last day of the year"), widget=DateInput())
    promote = forms.BooleanField(
        label=_("Move the class groups up a grade with their students"),
        required=False,
        initial=True,
        help_text=_("5А becomes 6А with the same students, class teacher and room; grade 11 graduates."),
    )
    keep_assignments = forms.BooleanField(
        label=_("Keep each class's teachers"),
        required=False,
        initial=True,
        help_text=_(
            "Each moved class keeps its whole-class subjects with the same teachers and hours, with the "
            "city's thematic plans; change them on Assignments. Subgroups are split again each year."
        ),
    )


# --- subgroups and moves ---------------------------------------------------------------------


class SubgroupForm(forms.Form):
    subject = forms.ModelChoiceField(label=_("Subject"), queryset=Subject.objects.all())
    number = forms.IntegerField(
        label=_("Subgroup number"), initial=1, help_text=_("1, 2… within the subject: “7А/1 English”.")
    )


class SubgroupMembersForm(forms.Form):
    students = PersonMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Students of the class group; a student is in one subgroup of a subject at most."),
    )

    def __init__(self, *args: Any, class_group: ClassGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["students"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            enrolments__class_group=class_group
        ).order_by("last_name", "first_name", "pk")


OUT_OF_SCHOOL = "out"


class StudentMoveForm(forms.Form):
    to = forms.ChoiceField(label=_("Where to"))
    moved_on = DateField(label=_("From the day"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the order's number and date, or “moved to another city”."),
    )

    def __init__(self, *args: Any, class_group: ClassGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = list(
            ClassGroup.objects.filter(year_id=class_group.year_id)
            .exclude(pk=class_group.pk)
            .order_by("grade", "letter")
        )
        self.fields["to"].choices = [  # type: ignore[attr-defined]
            ("", _("— choose —")),
            (_("Another class group"), [(str(g.pk), g.name) for g in others]),
            (OUT_OF_SCHOOL, _("Out of the school (withdrawal)")),
        ]
        self._groups = {str(g.pk): g for g in others}

    def target(self) -> ClassGroup | None:
        """The class group chosen, or None for a withdrawal."""
        choice = self.cleaned_data["to"]
        return None if choice == OUT_OF_SCHOOL else self._groups[choice]
