"""An htmx request without a session is sent to the login page as a whole page, not swapped in."""

from __future__ import annotations

from urllib.parse import quote

from django.urls import reverse

HTMX = {"HX-Request": "true"}


def week_url(world) -> str:
    return reverse("timetable-student", args=[world.a.student.pk]) + "?week=2026-09-14"


def test_htmx_request_without_a_session_gets_an_hx_redirect_to_login(world, client):
    url = week_url(world)
    response = client.get(url, headers=HTMX)
    assert response.status_code == 204
    assert response.content == b""
    # Back to the page after signing in: the same address serves the whole page to a plain request.
    assert response["HX-Redirect"] == f"{reverse('login')}?next={quote(url, safe='/')}"
    assert "Location" not in response


def test_an_expired_session_is_treated_the_same(world, client):
    client.force_login(world.a.student)
    client.logout()
    response = client.get(week_url(world), headers=HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_a_plain_request_still_gets_the_redirect(world, client):
    response = client.get(week_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "HX-Redirect" not in response


def test_other_redirects_of_htmx_requests_are_left_alone(world, client):
    # An administrator's school home redirects to the class groups page, signed in.
    client.force_login(world.a.admin)
    response = client.get(reverse("school"), headers=HTMX)
    assert response.status_code == 302
    assert "HX-Redirect" not in response


def test_a_signed_in_htmx_request_gets_its_partial(world, client):
    client.force_login(world.a.student)
    response = client.get(week_url(world), headers=HTMX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="week"')
