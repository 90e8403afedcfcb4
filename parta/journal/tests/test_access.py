"""Who may write a journal, decided from the roles alone (``parta.journal.access``): the checks
the pages and the services build on, tested directly where the pages only show a flag."""

from __future__ import annotations

import pytest

from parta.journal.access import can_write_assignment
from parta.testing import factories as f
from parta.testing.world import World

pytestmark = pytest.mark.django_db


def test_the_admin_and_the_assignments_teacher_write_its_journal_and_no_one_else(world: World) -> None:
    """The journal page offers editing (``can_write``) to the school's administrator, a superuser and
    the assignment's teacher; the class teacher reads 7А's algebra but does not write it."""
    a, assignment = world.a, world.a.assignment
    assert can_write_assignment(a.admin, assignment)
    assert can_write_assignment(f.UserFactory.create(is_superuser=True), assignment)
    assert can_write_assignment(a.subject_teacher, assignment)
    for reader in (a.class_teacher, world.b.admin, world.b.subject_teacher, a.parent, world.outsider):
        assert not can_write_assignment(reader, assignment)
