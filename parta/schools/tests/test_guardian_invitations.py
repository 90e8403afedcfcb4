"""Guardians by invitation (issue 17, item 7): a school links an existing account as a guardian
only when its holder accepts, and no answer tells the school whether a login exists."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from parta.accounts.models import Guardianship
from parta.schools import services
from parta.schools.models import GuardianshipInvitation, StaffMembership
from parta.testing import factories as f

INVITED = "If this login or e-mail address belongs to an account, its holder has been invited."


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def invite(world, login, **kwargs):
    return services.guardian_invite(
        actor=kwargs.pop("actor", world.a.admin),
        school=world.a.school,
        student=kwargs.pop("student", world.a.student),
        login=login,
        relation=kwargs.pop("relation", "father"),
    )


def invite_page(world):
    return reverse("school-guardian-invite", args=[world.a.school.pk, world.a.group.pk])


def class_page(world):
    return reverse("school-class", args=[world.a.school.pk, world.a.group.pk])


def row_of(page, login):
    """The invitation's row on the class group page, with what differs between any two rows
    (the typed login, the row's id) left out."""
    row = next(r for r in re.findall(r"<tr>.*?</tr>", page, re.DOTALL) if f"<code>{login}</code>" in r)
    return re.sub(r"invitations/\d+/", "", row.replace(login, ""))


def answer(client, invitation, verb):
    return client.post(reverse("invitation-answer", args=[invitation.pk, verb]))


# --- the answer never tells whether a login exists -----------------------------------------


def test_the_invite_page_answers_the_same_for_an_existing_and_a_missing_login(world, en):
    world.b.parent.last_name = "Неназванная"
    world.b.parent.save(update_fields=["last_name"])
    en.force_login(world.a.admin)
    pages = []
    for login in ("parent2", "nobody-has-this"):
        response = en.post(
            invite_page(world), {"student": world.a.student.pk, "login": login, "relation": "father"}
        )
        assert (response.status_code, response["Location"]) == (302, class_page(world))
        page = en.get(class_page(world)).content.decode()
        assert INVITED in page
        pages.append(page)
    rows = {login: row_of(pages[1], login) for login in ("parent2", "nobody-has-this")}
    assert "waiting for an answer" in rows["parent2"]
    assert rows["parent2"] == rows["nobody-has-this"]
    # The school sees no name of the account the login belongs to.
    assert "Неназванная" not in pages[1]


@pytest.mark.parametrize("login", ["parent2", "ghost"])
def test_enrolment_with_an_existing_guardian_answers_the_same_whether_the_login_exists(world, en, login):
    en.force_login(world.a.admin)
    response = en.post(
        reverse("school-class-enrol", args=[world.a.school.pk, world.a.group.pk]),
        {
            "student_mode": "new",
            "student_last_name": "Щукина",
            "student_first_name": "Юлия",
            "guardian_mode": "existing",
            "guardian_username": login,
            "relation": "mother",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert INVITED in response.content.decode()
    assert not Guardianship.objects.filter(student__last_name="Щукина").exists()


def test_an_invitation_to_nobody_and_one_to_an_account_look_alike_until_accepted(world):
    existing, missing = invite(world, "parent2"), invite(world, "ghost")
    assert (existing.invitee, missing.invitee) == (world.b.parent, None)
    # A declined invitation still waits, to the school, as the one to nobody does.
    services.guardian_invitation_answer(actor=world.b.parent, invitation_id=existing.pk, accept=False)
    from parta.schools.selectors import sent_invitations

    states = {row.login: (row.state, row.open) for row in sent_invitations(world.a.group)}
    assert states == {"parent2": ("waiting for an answer", True), "ghost": ("waiting for an answer", True)}


# --- the holder answers ---------------------------------------------------------------------


def test_the_holder_sees_the_invitation_and_accepting_makes_the_guardianship(world, en):
    invitation = invite(world, "parent2", relation="grandparent")
    en.force_login(world.b.parent)
    home = en.get(reverse("home")).content.decode()
    assert reverse("invitations") in home
    page = en.get(reverse("invitations")).content.decode()
    assert world.a.student.full_name in page and world.a.school.name in page
    response = answer(en, invitation, "accept")
    assert response.status_code == 302
    link = Guardianship.objects.get(guardian=world.b.parent, student=world.a.student)
    assert link.relation == "grandparent"
    invitation.refresh_from_db()
    # The history: who invited, who accepted, when.
    assert invitation.status == GuardianshipInvitation.Status.ACCEPTED
    assert (invitation.invited_by, invitation.invitee) == (world.a.admin, world.b.parent)
    assert invitation.created_at <= invitation.answered_at <= timezone.now()
    # Answered: gone from the holder's home page, and cannot be answered twice.
    assert reverse("invitations") not in en.get(reverse("home")).content.decode()
    assert answer(en, invitation, "accept").status_code == 404


def test_declining_links_nobody(world, en):
    invitation = invite(world, "parent2")
    en.force_login(world.b.parent)
    assert answer(en, invitation, "decline").status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == GuardianshipInvitation.Status.DECLINED and invitation.answered_at
    assert not Guardianship.objects.filter(guardian=world.b.parent, student=world.a.student).exists()


def test_an_invitation_by_e_mail_reaches_the_one_account_with_that_address(world):
    world.b.parent.email = "Parent.Two@example.org"
    world.b.parent.save(update_fields=["email"])
    assert invite(world, "parent.two@example.org").invitee == world.b.parent
    f.UserFactory.create(username="namesake", email="parent.two@example.org")
    # Two accounts share it: the invitation reaches neither (the school is told the same).
    assert invite(world, "PARENT.TWO@example.org", student=world.a.sibling).invitee is None


def test_the_same_open_invitation_twice_is_one_invitation(world):
    assert invite(world, "parent2") == invite(world, " parent2 ")
    assert GuardianshipInvitation.objects.count() == 1


@pytest.mark.parametrize("who", ["student", "teacher", "admin", "superuser", "back_office", "the_child"])
def test_who_cannot_become_a_guardian_is_refused_at_acceptance(world, who):
    holder = {
        "student": world.b.student,
        "teacher": world.b.subject_teacher,
        "admin": world.b.admin,
        "superuser": f.UserFactory.create(username="root", is_superuser=True),
        "back_office": f.UserFactory.create(username="clerk", is_staff=True),
        "the_child": world.a.student,
    }[who]
    invitation = invite(world, holder.username)
    # The school was told the same as for anyone.
    assert invitation.invitee == holder
    with pytest.raises(ValidationError) as excinfo:
        services.guardian_invitation_answer(actor=holder, invitation_id=invitation.pk, accept=True)
    assert excinfo.value.message_dict == {
        "invitation": ["This account cannot become a guardian. Please ask the school."]
    }
    assert not Guardianship.objects.filter(guardian=holder, student=world.a.student).exists()
    invitation.refresh_from_db()
    assert invitation.status == GuardianshipInvitation.Status.PENDING


def test_a_teacher_of_another_school_is_refused_through_the_page(world, en):
    teacher = f.UserFactory.create(username="teacher-elsewhere")
    f.StaffMembershipFactory.create(school=world.b.school, user=teacher, role=StaffMembership.Role.TEACHER)
    invitation = invite(world, teacher.username)
    en.force_login(teacher)
    response = answer(en, invitation, "accept")
    assert (response.status_code, response["Location"]) == (302, reverse("invitations"))
    assert "cannot become a guardian" in en.get(reverse("invitations")).content.decode()
    assert not Guardianship.objects.filter(guardian=teacher).exists()


# --- expiry, withdrawal, access -------------------------------------------------------------


def test_an_expired_invitation_cannot_be_answered_and_shows_as_expired(world, en):
    invitation = invite(world, "parent2")
    GuardianshipInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    en.force_login(world.b.parent)
    assert reverse("invitations") not in en.get(reverse("home")).content.decode()
    assert answer(en, invitation, "accept").status_code == 404
    assert not Guardianship.objects.filter(guardian=world.b.parent, student=world.a.student).exists()
    en.force_login(world.a.admin)
    page = en.get(class_page(world)).content.decode()
    assert "expired" in page and "Withdraw" not in page


def test_invitations_expire_after_fourteen_days(world):
    invitation = invite(world, "parent2")
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=14)


def test_a_withdrawn_invitation_cannot_be_accepted(world, en):
    invitation = invite(world, "parent2")
    en.force_login(world.a.admin)
    url = reverse("school-invitation-withdraw", args=[world.a.school.pk, world.a.group.pk, invitation.pk])
    assert en.post(url).status_code == 302
    invitation.refresh_from_db()
    assert (invitation.withdrawn_by, invitation.withdrawn_at is not None) == (world.a.admin, True)
    assert "withdrawn" in en.get(class_page(world)).content.decode()
    # Twice: refused with a message, nothing changes.
    with pytest.raises(ValidationError):
        services.guardian_invitation_withdraw(actor=world.a.admin, invitation_id=invitation.pk)
    en.force_login(world.b.parent)
    assert answer(en, invitation, "accept").status_code == 404
    assert not Guardianship.objects.filter(guardian=world.b.parent, student=world.a.student).exists()


def test_an_accepted_invitation_cannot_be_withdrawn(world):
    invitation = invite(world, "parent2")
    services.guardian_invitation_answer(actor=world.b.parent, invitation_id=invitation.pk, accept=True)
    with pytest.raises(ValidationError):
        services.guardian_invitation_withdraw(actor=world.a.admin, invitation_id=invitation.pk)


@pytest.mark.parametrize("who", ["b.admin", "a.class_teacher", "a.parent", "outsider", "methodologist"])
def test_nobody_but_the_schools_admin_invites_or_withdraws(world, en, who):
    user = (
        getattr(getattr(world, who.split(".")[0]), who.split(".")[1]) if "." in who else getattr(world, who)
    )
    invitation = invite(world, "outsider")
    with pytest.raises(Http404):
        invite(world, "parent2", actor=user)
    with pytest.raises(Http404):
        services.guardian_invitation_withdraw(actor=user, invitation_id=invitation.pk)
    en.force_login(user)
    assert (
        en.post(
            invite_page(world), {"student": world.a.student.pk, "login": "x", "relation": "father"}
        ).status_code
        == 404
    )
    url = reverse("school-invitation-withdraw", args=[world.a.school.pk, world.a.group.pk, invitation.pk])
    assert en.post(url).status_code == 404
    assert GuardianshipInvitation.objects.count() == 1
    assert GuardianshipInvitation.objects.get().withdrawn_at is None


def test_another_schools_admin_cannot_invite_for_our_child_through_their_own_school(world):
    with pytest.raises(Http404):
        services.guardian_invite(
            actor=world.b.admin, school=world.b.school, student=world.a.student, login="x", relation="father"
        )
    assert not GuardianshipInvitation.objects.exists()


def test_nobody_else_answers_an_invitation(world, en):
    invitation = invite(world, "parent2")
    for user in (world.a.admin, world.a.parent, world.outsider):
        en.force_login(user)
        assert answer(en, invitation, "accept").status_code == 404
        assert answer(en, invitation, "decline").status_code == 404
    assert en.post(reverse("invitation-answer", args=[invitation.pk, "maybe"])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == GuardianshipInvitation.Status.PENDING


@pytest.mark.parametrize(
    ("data", "field"),
    [({"login": ""}, "login"), ({"login": "x" * 255}, "login"), ({"relation": "uncle"}, "relation")],
)
def test_bad_input_is_400_and_invites_nobody(world, en, data, field):
    en.force_login(world.a.admin)
    form = {"student": world.a.student.pk, "login": "parent2", "relation": "father"} | data
    response = en.post(invite_page(world), form)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not GuardianshipInvitation.objects.exists()


def test_the_invitation_pages_speak_russian(world, client):
    invite(world, "parent2")
    client.force_login(world.b.parent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Приглашения" in client.get(reverse("invitations")).content.decode()
