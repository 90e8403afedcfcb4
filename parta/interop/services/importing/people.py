"""People and their roles, their demographics, and their families (parents and guardians)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from parta.accounts.models import Guardianship, User
from parta.interop import binding as b
from parta.interop.parser import Row
from parta.interop.report import SKIPPED, UPDATED
from parta.interop.services.importing.calendar import _Calendar
from parta.interop.services.importing.common import Kind, Target
from parta.schools.models import StaffMembership


class _People(_Calendar):
    # --- users and their roles -----------------------------------------------------------------

    def collect_roles(self) -> None:
        """Each user's roles in this school, from roles.csv (1.2) or users.csv (1.1); what Parta
        has no use for is reported on its row and skipped."""
        if self.bundle.version == "1.1":
            for row in self.active(b.USERS):
                role = b.PARTA_ROLE.get(row["role"])
                if self.org not in row.list("orgSourcedIds"):
                    continue
                if role is None:
                    self.note(
                        row,
                        SKIPPED,
                        _("Parta has no use for the role %(role)s.") % {"role": row["role"]},
                        "role",
                    )
                else:
                    self.roles[row.sourced_id].add(role)
        # (A 1.1 bundle has no roles.csv: this loop is empty then.)
        for row in self.active(b.ROLES):
            role = b.PARTA_ROLE.get(row["role"])
            if row["orgSourcedId"] != self.org:
                self.tick()
                self.note(row, SKIPPED, _("A role at another org."), "orgSourcedId")
            elif role is None:
                self.tick()
                self.note(
                    row, SKIPPED, _("Parta has no use for the role %(role)s.") % {"role": row["role"]}, "role"
                )
            else:
                self.roles[row["userSourcedId"]].add(role)
        # A teacher or a student enrolled in one of the school's classes is one, whatever roles.csv says.
        classes = self.bundle.by_id(b.CLASSES)
        for row in self.active(b.ENROLLMENTS):
            if row["role"] in ("student", "teacher") and (
                row["classSourcedId"] in classes or self.mapped(Kind.CLASS, row["classSourcedId"])
            ):
                self.roles[row["userSourcedId"]].add(row["role"])

    def user_for(self, sid: str) -> User | None:
        return self.mapped_row(self.users, User, Kind.USER, Target.USER, sid)

    def login_for(self, row: Row) -> tuple[str, str]:
        wanted = row["username"] or row["email"].split("@")[0] or row.sourced_id
        base = re.sub(r"[^\w.@+-]", "", wanted)[:140] or "user"
        login, number = base, 1
        while User.objects.filter(username=login).exists():
            number += 1
            login = f"{base}-{number}"
        message = (
            ""
            if login == wanted
            else _("The login %(wanted)s was taken or not allowed; the login is %(login)s.")
            % {"wanted": wanted, "login": login}
        )
        return login, message

    def import_users(self) -> None:
        assert self.school is not None
        for row in self.active(b.USERS):
            self.tick()
            roles = self.roles.get(row.sourced_id, set())
            mapping = self.mapped(Kind.USER, row.sourced_id, Target.USER)
            if not roles and mapping is None:
                if (row.file, row.number) not in self.outcomes:
                    self.note(row, SKIPPED, _("The user has no role at this school that Parta uses."))
                continue
            values = {
                "first_name": row["givenName"],
                "last_name": row["familyName"],
                "middle_name": row["middleName"],
                "email": row["email"][:254],
                "is_active": row["enabledUser"].lower() != "false",
            }
            user = self.user_for(row.sourced_id)
            message = ""
            if user is None:
                login, message = self.login_for(row)
                user = User(username=login, **values)
                # No password: the person sets one from an invitation (docs/user-guide.md).
                user.set_unusable_password()
                user.save()
                self.users[row.sourced_id] = user
                created, updated = True, False
            else:
                created, updated = False, self.save_changes(user, values)
            mapped = self.remember(row, Kind.USER, Target.USER, user.pk)
            staff = False
            for role, staff_role in (
                ("admin", StaffMembership.Role.ADMIN),
                ("teacher", StaffMembership.Role.TEACHER),
            ):
                if role in roles:
                    _membership, made = StaffMembership.objects.get_or_create(
                        school=self.school, user=user, role=staff_role
                    )
                    staff = staff or made
            self.changed(row, created, updated or mapped or staff, message)
        if self.bundle.version == "1.2":
            for row in self.active(b.ROLES):
                if (row.file, row.number) in self.outcomes:
                    continue
                self.tick()
                user = self.user_for(row["userSourcedId"])
                created = self.mapped(Kind.ROLE, row.sourced_id) is None
                self.changed(
                    row, created, self.remember(row, Kind.ROLE, Target.USER, user.pk if user else None)
                )

    def import_demographics(self) -> None:
        for row in self.active(b.DEMOGRAPHICS):
            self.tick()
            user = self.user_for(row.sourced_id)
            created = self.mapped(Kind.DEMOGRAPHIC, row.sourced_id) is None
            self.changed(
                row, created, self.remember(row, Kind.DEMOGRAPHIC, Target.USER, user.pk if user else None)
            )

    # --- families --------------------------------------------------------------------------

    def relation(self, sid: str) -> str:
        row = self.bundle.by_id(b.USERS).get(sid)
        role = row["role"] if row is not None and self.bundle.version == "1.1" else ""
        if not role:
            roles = [r["role"] for r in self.active(b.ROLES) if r["userSourcedId"] == sid]
            role = next((r for r in roles if b.PARTA_ROLE.get(r) == "guardian"), "")
        if role == "relative":
            return Guardianship.Relation.GRANDPARENT
        sex = self.bundle.by_id(b.DEMOGRAPHICS).get(sid)
        if role == "parent" and sex is not None:
            return {"female": Guardianship.Relation.MOTHER, "male": Guardianship.Relation.FATHER}.get(
                sex["sex"], Guardianship.Relation.OTHER
            )
        return Guardianship.Relation.OTHER

    def import_guardianships(self) -> None:
        rows = self.bundle.by_id(b.USERS)
        pairs: dict[tuple[str, str], Row] = {}
        for row in self.active(b.USERS):
            for agent in row.list("agentSourcedIds"):
                if "guardian" in self.roles.get(row.sourced_id, ()) and "student" in self.roles.get(
                    agent, ()
                ):
                    pairs.setdefault((row.sourced_id, agent), row)
                elif "student" in self.roles.get(row.sourced_id, ()) and "guardian" in self.roles.get(
                    agent, ()
                ):
                    pairs.setdefault((agent, row.sourced_id), rows.get(agent) or row)
        for (guardian_sid, student_sid), row in sorted(pairs.items()):
            guardian, student = self.user_for(guardian_sid), self.user_for(student_sid)
            if guardian is None or student is None or guardian.pk == student.pk:
                continue
            _link, made = Guardianship.objects.get_or_create(
                guardian=guardian, student=student, defaults={"relation": self.relation(guardian_sid)}
            )
            if made:
                self.note(row, UPDATED)
