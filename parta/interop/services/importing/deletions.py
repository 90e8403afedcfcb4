"""What a delta's ``tobedeleted`` rows take away, each kind by its own rule."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship
from parta.interop import binding as b
from parta.interop.models import SourcedId
from parta.interop.report import DELETED, SKIPPED
from parta.interop.services.importing.classes import _Classes
from parta.interop.services.importing.common import KIND_OF_FILE, Kind, Target
from parta.schools.models import (
    ClassGroup,
    Enrolment,
    StaffMembership,
    SubgroupMembership,
    TeachingAssignment,
)
from parta.timetable.models import Lesson


class _Deletions(_Classes):
    # --- deletions (delta files) -------------------------------------------------------------

    def delete_rows(self) -> None:
        for file in (
            b.ENROLLMENTS,
            b.CLASSES,
            b.ROLES,
            b.USERS,
            b.DEMOGRAPHICS,
            b.COURSES,
            b.SESSIONS,
            b.ORGS,
        ):
            for row in self.bundle.of(file):
                if not row.deleted:
                    continue
                self.tick()
                kind = KIND_OF_FILE[file]
                mapping = self.mapped(kind, row.sourced_id)
                if mapping is None:
                    self.note(row, SKIPPED, _("Nothing to delete: this sourcedId was never imported."))
                    continue
                reason = getattr(self, f"delete_{kind}")(mapping)
                if reason:
                    self.note(row, SKIPPED, reason)
                else:
                    self.forget(kind, row.sourced_id)
                    self.note(row, DELETED)

    def delete_enrollment(self, mapping: SourcedId) -> str:  # noqa: PLR0911 — one answer per case
        assert self.school is not None
        fields = mapping.fields
        klass = self.mapped(Kind.CLASS, fields.get("classSourcedId", ""))
        person = self.mapped(Kind.USER, fields.get("userSourcedId", ""), Target.USER)
        if klass is None or person is None or klass.object_id is None:
            return ""
        role = fields.get("role")
        if klass.target == Target.CLASS_GROUP:
            if role == "student":
                Enrolment.objects.filter(class_group_id=klass.object_id, student_id=person.object_id).delete()
            elif role == "teacher":
                ClassGroup.objects.filter(pk=klass.object_id, class_teacher_id=person.object_id).update(
                    class_teacher=None
                )
            return ""
        if klass.target == Target.ASSIGNMENT:
            assignment = TeachingAssignment.objects.filter(pk=klass.object_id).first()
            if assignment is None:
                return ""
            if role == "teacher":
                return _("A teaching assignment needs a teacher: enrol the new teacher instead.")
            if role == "student" and assignment.subgroup_id:
                SubgroupMembership.objects.filter(
                    subgroup_id=assignment.subgroup_id, student_id=person.object_id
                ).delete()
                return ""
            if role == "student":
                return _("The whole class group is taught together: move the student to another class group.")
        return ""

    def delete_class(self, mapping: SourcedId) -> str:
        if mapping.target == Target.CLASS_GROUP:
            if Lesson.objects.filter(assignment__class_group_id=mapping.object_id).exists():
                return _("The class group has lessons; Parta keeps it.")
            ClassGroup.objects.filter(pk=mapping.row_id).delete()
        elif mapping.target == Target.ASSIGNMENT:
            if Lesson.objects.filter(assignment_id=mapping.object_id).exists():
                return _("The teaching assignment has lessons; Parta keeps it.")
            TeachingAssignment.objects.filter(pk=mapping.row_id).delete()
        return ""

    def delete_role(self, mapping: SourcedId) -> str:
        role = b.PARTA_ROLE.get(mapping.fields.get("role", ""))
        staff = {"admin": StaffMembership.Role.ADMIN, "teacher": StaffMembership.Role.TEACHER}.get(role or "")
        if staff is None:
            return ""
        if (
            staff == StaffMembership.Role.TEACHER
            and TeachingAssignment.objects.filter(school=self.school, teacher_id=mapping.object_id).exists()
        ):
            return _("The teacher still has teaching assignments; Parta keeps the teacher.")
        StaffMembership.objects.filter(school=self.school, user_id=mapping.row_id, role=staff).delete()
        return ""

    def delete_user(self, mapping: SourcedId) -> str:
        assert self.school is not None
        user_id = mapping.row_id
        if TeachingAssignment.objects.filter(school=self.school, teacher_id=user_id).exists():
            return _("The teacher still has teaching assignments; Parta keeps the teacher.")
        StaffMembership.objects.filter(school=self.school, user_id=user_id).delete()
        Enrolment.objects.filter(school=self.school, student_id=user_id).delete()
        students = Enrolment.objects.filter(school=self.school).values("student_id")
        Guardianship.objects.filter(guardian_id=user_id, student_id__in=students).delete()
        ClassGroup.objects.filter(school=self.school, class_teacher_id=user_id).update(class_teacher=None)
        # The account stays: marks and messages name it; it only leaves this school.
        return ""

    def delete_demographic(self, mapping: SourcedId) -> str:
        return ""

    def delete_course(self, mapping: SourcedId) -> str:
        return ""

    def delete_session(self, mapping: SourcedId) -> str:
        if mapping.target:
            return _("Parta keeps academic years and study periods; change them on the school's pages.")
        return ""

    def delete_org(self, mapping: SourcedId) -> str:
        if mapping.target == Target.SCHOOL:
            return _("An import does not delete a school.")
        return ""
