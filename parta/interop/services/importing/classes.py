"""Classes: homerooms become class groups with their students and class teacher; scheduled
classes become teaching assignments (a subgroup where a class is split); courses are kept."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.utils.text import slugify
from django.utils.translation import gettext as _

from parta.interop import binding as b
from parta.interop.parser import Row
from parta.interop.report import SKIPPED
from parta.interop.services.importing.common import (
    DEFAULT_HOURS_PER_WEEK,
    LETTERS,
    Kind,
    Target,
    grade_and_letter,
)
from parta.interop.services.importing.people import _People
from parta.schools.models import (
    AcademicYear,
    Building,
    ClassGroup,
    Enrolment,
    Subgroup,
    SubgroupMembership,
    Subject,
    TeachingAssignment,
)
from parta.schools.services import assignment_created


class _Classes(_People):
    # --- classes -----------------------------------------------------------------------------

    def class_year(self, row: Row) -> AcademicYear | None:
        for sid in row.list("termSourcedIds"):
            year = self.year_of_session(sid)
            if year is not None:
                return year
        self.error(row, "termSourcedIds", _("None of these sessions is in a school year."))
        return None

    def default_building(self) -> Building:
        assert self.school is not None
        if self.building is None:
            self.building = Building.objects.filter(school=self.school).order_by("pk").first()
        if self.building is None:
            self.building = Building.objects.create(school=self.school, name=_("Main building"), address="")
            self.defaults.append(
                _("A building named “Main building” for the class groups; rename it in the back office.")
            )
        return self.building

    def import_homerooms(self) -> None:
        assert self.school is not None
        taken: dict[tuple[int, int], set[str]] = defaultdict(set)
        for existing in ClassGroup.objects.filter(school=self.school).values("year_id", "grade", "letter"):
            taken[(existing["year_id"], existing["grade"])].add(existing["letter"])
        for row in self.active(b.CLASSES):
            if row["classType"] != "homeroom":
                continue
            self.tick()
            if row["schoolSourcedId"] != self.org:
                self.note(row, SKIPPED, _("A class of another school."), "schoolSourcedId")
                continue
            year = self.class_year(row)
            grade, letter = grade_and_letter(row["title"], row.list("grades"))
            if year is None:
                continue
            if grade is None:
                self.error(
                    row, "grades", _("A homeroom class needs a grade from 1 to 11 in grades or in its title.")
                )
                continue
            mapping = self.mapped(Kind.CLASS, row.sourced_id, Target.CLASS_GROUP)
            group: ClassGroup | None = (
                ClassGroup.objects.filter(pk=mapping.row_id).first() if mapping else None
            )
            message = ""
            if not letter:
                if group is not None and group.grade == grade:
                    letter = group.letter
                else:
                    letter = next(item for item in LETTERS if item not in taken[(year.pk, grade)])
                    message = _("Its title gives no letter; it is %(name)s.") % {"name": f"{grade}{letter}"}
            if group is None:
                group = ClassGroup.objects.filter(year=year, grade=grade, letter=letter).first()
                if group is not None and any(
                    m.target == Target.CLASS_GROUP and m.object_id == group.pk for m in self.ids.values()
                ):
                    self.error(
                        row,
                        "title",
                        _("Class group %(name)s already exists this year.") % {"name": f"{grade}{letter}"},
                    )
                    continue
            created = group is None
            if group is None:
                group = ClassGroup.objects.create(
                    school=self.school,
                    year=year,
                    grade=grade,
                    letter=letter,
                    building=self.default_building(),
                )
                updated = False
            else:
                updated = self.save_changes(group, {"year_id": year.pk, "grade": grade, "letter": letter})
            taken[(year.pk, grade)].add(letter)
            self.class_groups[row.sourced_id] = group
            mapped = self.remember(row, Kind.CLASS, Target.CLASS_GROUP, group.pk)
            self.changed(row, created, updated or mapped, message)

    def enrollments_by_class(self) -> dict[str, list[Row]]:
        result: dict[str, list[Row]] = defaultdict(list)
        for row in self.active(b.ENROLLMENTS):
            result[row["classSourcedId"]].append(row)
        return result

    def group_for_class(self, sid: str) -> ClassGroup | None:
        return self.mapped_row(self.class_groups, ClassGroup, Kind.CLASS, Target.CLASS_GROUP, sid)

    def enrollment_row(self, row: Row, created: bool, updated: bool = False, message: str = "") -> None:
        # An enrollment is a link: the first time its sourcedId is met, it is created.
        was_new = self.mapped(Kind.ENROLLMENT, row.sourced_id) is None
        mapped = self.remember(row, Kind.ENROLLMENT, Target.NONE, None)
        self.changed(row, created or was_new, updated or mapped, message)

    @staticmethod
    def teachers_first(rows: list[Row]) -> list[Row]:
        return sorted(
            (row for row in rows if row["role"] == "teacher"),
            key=lambda row: (row["primary"].lower() != "true", row.sourced_id),
        )

    def import_homeroom_enrollments(self) -> None:
        assert self.school is not None
        seen: dict[tuple[int, int], Row] = {}
        for sid, rows in self.enrollments_by_class().items():
            group = self.group_for_class(sid)
            if group is None:
                continue
            for row in rows:
                if row["role"] not in ("student", "teacher"):
                    self.tick()
                    self.note(
                        row,
                        SKIPPED,
                        _("Parta has no use for the role %(role)s in a class.") % {"role": row["role"]},
                        "role",
                    )
            teachers = self.teachers_first(rows)
            for index, row in enumerate(teachers):
                self.tick()
                user = self.user_for(row["userSourcedId"])
                if user is None:
                    self.note(row, SKIPPED, _("The user was not imported."), "userSourcedId")
                elif index == 0:
                    updated = self.save_changes(group, {"class_teacher_id": user.pk})
                    self.enrollment_row(row, False, updated)
                else:
                    self.enrollment_row(
                        row,
                        False,
                        False,
                        _("A class group has one class teacher: %(name)s.")
                        % {"name": teachers[0]["userSourcedId"]},
                    )
            for row in rows:
                if row["role"] != "student":
                    continue
                self.tick()
                user = self.user_for(row["userSourcedId"])
                if user is None:
                    self.note(row, SKIPPED, _("The user was not imported."), "userSourcedId")
                    continue
                earlier = seen.get((group.year_id, user.pk))
                if earlier is not None:
                    self.error(
                        row,
                        "classSourcedId",
                        _("The student is already in a homeroom class this year (row %(row)d).")
                        % {"row": earlier.number},
                    )
                    continue
                seen[(group.year_id, user.pk)] = row
                enrolment = Enrolment.objects.filter(year_id=group.year_id, student=user).first()
                if enrolment is None:
                    Enrolment.objects.create(
                        school=self.school, year_id=group.year_id, class_group=group, student=user
                    )
                    self.enrollment_row(row, True)
                elif enrolment.class_group_id != group.pk:
                    if enrolment.school_id != self.school.pk:
                        self.error(
                            row, "userSourcedId", _("The student is enrolled in another school this year.")
                        )
                        continue
                    self.save_changes(enrolment, {"class_group_id": group.pk})
                    self.enrollment_row(row, False, True)
                else:
                    self.enrollment_row(row, False)

    # --- scheduled classes: teaching assignments ---------------------------------------------

    def subject_for(self, course_sid: str) -> Subject | None:
        mapping = self.mapped(Kind.COURSE, course_sid, Target.SUBJECT)
        if mapping is not None:
            subject = Subject.objects.filter(pk=mapping.row_id).first()
            if subject is not None:
                return subject
        course = self.bundle.by_id(b.COURSES).get(course_sid)
        if course is None:
            return None
        code, title = course["courseCode"], course["title"]
        subject = (
            (Subject.objects.filter(code=code).first() if code else None)
            or (Subject.objects.filter(code=slugify(code)).first() if slugify(code) else None)
            or Subject.objects.filter(name_ru__iexact=title).first()
            or Subject.objects.filter(name_en__iexact=title).first()
        )
        for name in course.list("subjects"):
            subject = (
                subject
                or Subject.objects.filter(name_ru__iexact=name).first()
                or Subject.objects.filter(name_en__iexact=name).first()
            )
        if subject is None:
            base = (slugify(code) or slugify(title) or "course")[:36]
            new_code, number = base, 1
            while Subject.objects.filter(code=new_code).exists():
                number += 1
                new_code = f"{base}-{number}"
            subject = Subject.objects.create(code=new_code, name_ru=title[:200], name_en=title[:200])
        created = self.mapped(Kind.COURSE, course_sid) is None
        self.tick()
        self.changed(course, created, self.remember(course, Kind.COURSE, Target.SUBJECT, subject.pk))
        return subject

    def import_scheduled(self) -> None:
        assert self.school is not None
        enrollments = self.enrollments_by_class()
        for row in sorted(self.active(b.CLASSES), key=lambda r: r.sourced_id):
            if row["classType"] != "scheduled":
                continue
            self.tick()
            if row["schoolSourcedId"] != self.org:
                self.note(row, SKIPPED, _("A class of another school."), "schoolSourcedId")
                continue
            year = self.class_year(row)
            subject = self.subject_for(row["courseSourcedId"])
            if year is None or subject is None:
                continue
            rows = enrollments.get(row.sourced_id, [])
            for other in rows:
                if other["role"] not in ("student", "teacher"):
                    self.tick()
                    self.note(
                        other,
                        SKIPPED,
                        _("Parta has no use for the role %(role)s in a class.") % {"role": other["role"]},
                        "role",
                    )
            teachers = [
                (r, user)
                for r in self.teachers_first(rows)
                if (user := self.user_for(r["userSourcedId"])) is not None
            ]
            students = {
                user.pk: r
                for r in rows
                if r["role"] == "student" and (user := self.user_for(r["userSourcedId"])) is not None
            }
            if not teachers:
                self.note(row, SKIPPED, _("No teacher is enrolled: a teaching assignment needs one."))
                self.skip_enrollments(rows)
                continue
            groups = Counter(
                Enrolment.objects.filter(year=year, student_id__in=students, school=self.school).values_list(
                    "class_group_id", flat=True
                )
            )
            if not groups:
                self.note(
                    row,
                    SKIPPED,
                    _(
                        "None of its students is in a class group: OneRoster does not say "
                        "which class group it teaches."
                    ),
                )
                self.skip_enrollments(rows)
                continue
            top = max(groups.values())
            group = ClassGroup.objects.get(pk=min(pk for pk, count in groups.items() if count == top))
            group_students = set(
                Enrolment.objects.filter(class_group=group).values_list("student_id", flat=True)
            )
            members = set(students) & group_students
            teacher_row, teacher = teachers[0]
            message = ""
            if len(groups) > 1:
                message = _("Its students are in several class groups; it is kept with %(name)s.") % {
                    "name": group.name
                }
            mapping = self.mapped(Kind.CLASS, row.sourced_id, Target.ASSIGNMENT)
            assignment = (
                TeachingAssignment.objects.filter(pk=mapping.row_id).select_related("subgroup").first()
                if mapping
                else None
            )
            whole = members == group_students
            created = assignment is None
            updated = False
            if assignment is None:
                if whole:
                    assignment = TeachingAssignment.objects.filter(
                        class_group=group, subject=subject, subgroup__isnull=True
                    ).first()
                    if assignment is not None and any(
                        m.target == Target.ASSIGNMENT and m.object_id == assignment.pk
                        for m in self.ids.values()
                    ):
                        self.note(
                            row,
                            SKIPPED,
                            _("%(group)s already has a class of this subject.") % {"group": group.name},
                        )
                        self.skip_enrollments(rows)
                        continue
                    created = assignment is None
                subgroup = None if whole else self.new_subgroup(group, subject)
                if assignment is None:
                    assignment = TeachingAssignment.objects.create(
                        school=self.school,
                        year=year,
                        class_group=group,
                        subgroup=subgroup,
                        subject=subject,
                        teacher=teacher,
                        hours_per_week=DEFAULT_HOURS_PER_WEEK,
                    )
                    assignment_created(assignment)
                else:
                    updated = self.save_changes(assignment, {"teacher_id": teacher.pk})
            else:
                subgroup = assignment.subgroup
                if whole and subgroup is not None:
                    subgroup = None
                elif not whole and (
                    subgroup is None
                    or subgroup.class_group_id != group.pk
                    or subgroup.subject_id != subject.pk
                ):
                    subgroup = self.new_subgroup(group, subject)
                updated = self.save_changes(
                    assignment,
                    {
                        "class_group_id": group.pk,
                        "subject_id": subject.pk,
                        "teacher_id": teacher.pk,
                        "subgroup_id": subgroup.pk if subgroup else None,
                        "year_id": year.pk,
                    },
                )
            if subgroup is not None:
                existing = set(
                    SubgroupMembership.objects.filter(subgroup=subgroup).values_list("student_id", flat=True)
                )
                SubgroupMembership.objects.filter(subgroup=subgroup).exclude(student_id__in=members).delete()
                SubgroupMembership.objects.bulk_create(
                    [
                        SubgroupMembership(school=self.school, subgroup=subgroup, student_id=pk)
                        for pk in sorted(members - existing)
                    ]
                )
                updated = updated or existing != members
            mapped = self.remember(row, Kind.CLASS, Target.ASSIGNMENT, assignment.pk)
            self.changed(row, created, updated or mapped, message)
            for index, (r, _user) in enumerate(teachers):
                self.tick()
                note = (
                    ""
                    if index == 0
                    else _("A teaching assignment has one teacher: %(name)s.")
                    % {"name": teacher_row["userSourcedId"]}
                )
                self.enrollment_row(r, False, False, note)
            for pk, r in students.items():
                self.tick()
                note = "" if pk in members else _("The student is not in %(name)s.") % {"name": group.name}
                self.enrollment_row(r, False, False, note)

    def skip_enrollments(self, rows: list[Row]) -> None:
        for row in rows:
            if (row.file, row.number) not in self.outcomes:
                self.tick()
                self.note(row, SKIPPED, _("Its class was not imported."), "classSourcedId")

    def new_subgroup(self, group: ClassGroup, subject: Subject) -> Subgroup:
        assert self.school is not None
        numbers = Subgroup.objects.filter(class_group=group, subject=subject).values_list("number", flat=True)
        return Subgroup.objects.create(
            school=self.school, class_group=group, subject=subject, number=max(numbers, default=0) + 1
        )

    def import_courses_left(self) -> None:
        """Courses no scheduled class uses (a homeroom's course): kept for the export only."""
        for row in self.active(b.COURSES):
            if (row.file, row.number) in self.outcomes:
                continue
            self.tick()
            mapping = self.mapped(Kind.COURSE, row.sourced_id)
            created = mapping is None
            target, object_id = (mapping.target, mapping.object_id) if mapping else (Target.NONE, None)
            self.changed(row, created, self.remember(row, Kind.COURSE, target, object_id))
