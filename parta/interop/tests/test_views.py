"""The upload page: who may use it (404 for everyone else) and what it shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parta.interop.models import ImportRun
from parta.interop.parser import read_path
from parta.interop.services import zip_bytes
from parta.schools.models import ClassGroup
from parta.testing import factories as f

BUNDLES = Path(__file__).parent / "bundles"


def bundle_zip() -> bytes:
    return zip_bytes(read_path(BUNDLES / "v12"))


def upload(client, school_id: int, *, dry_run: bool, data: bytes | None = None):
    file = SimpleUploadedFile(
        "school7.zip", bundle_zip() if data is None else data, content_type="application/zip"
    )
    payload = {"bundle": file, **({"dry_run": "on"} if dry_run else {})}
    return client.post(reverse("school-import", args=[school_id]), payload)


def test_the_administrator_imports_with_a_dry_run_first(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.a.admin)
    page = client.get(reverse("school-import", args=[world.a.school.pk]))
    assert page.status_code == 200
    groups = ClassGroup.objects.filter(school=world.a.school).count()
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(client, world.a.school.pk, dry_run=True)
    run = ImportRun.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "school-import-run", args=[world.a.school.pk, run.pk]
    )
    assert (run.status, run.dry_run, bytes(run.bundle)) == ("done", True, b"")
    assert ClassGroup.objects.filter(school=world.a.school).count() == groups
    shown = client.get(answer["Location"])
    text = shown.content.decode()
    assert shown.status_code == 200
    assert 'data-status="done"' in text and "hx-trigger" not in text
    assert (
        "This was a dry run" in text and "r-x1" in text and "Parta has no use for the role proctor." in text
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world.a.school.pk, dry_run=False)
    assert ClassGroup.objects.filter(school=world.a.school).count() == groups + 2
    # The school keeps its name: the bundle's school is this school.
    world.a.school.refresh_from_db()
    assert world.a.school.name == "School No. 7"
    # The page's list names both runs.
    listing = client.get(reverse("school-import", args=[world.a.school.pk])).content.decode()
    assert listing.count("school7.zip") == 2


def test_a_refused_bundle_shows_its_errors(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.a.admin)
    files = read_path(BUNDLES / "v12")
    files["classes.csv"] = files["classes.csv"].replace(b"homeroom,Room 12", b"homerooms,Room 12")
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(client, world.a.school.pk, dry_run=False, data=zip_bytes(files))
    run = ImportRun.objects.get()
    assert run.status == "refused"
    text = client.get(answer["Location"]).content.decode()
    assert "nothing was written" in text and "classType" in text and "hr-5a" in text


def test_not_a_zip_is_refused_on_the_form(world, client):
    client.force_login(world.a.admin)
    answer = upload(client, world.a.school.pk, dry_run=True, data=b"name,value\r\n")
    assert answer.status_code == 400
    assert "not a zip file" in answer.content.decode()
    assert not ImportRun.objects.exists()


def test_a_bundle_over_the_upload_limit_is_refused_on_the_form(world, client, settings):
    settings.PARTA_MAX_UPLOAD_BYTES = 1000
    client.force_login(world.a.admin)
    answer = upload(client, world.a.school.pk, dry_run=True)
    assert answer.status_code == 400 and "larger than" in answer.content.decode()
    assert not ImportRun.objects.exists()


def test_a_running_import_is_polled(world, client):
    run = ImportRun.objects.create(school=world.a.school, started_by=world.a.admin, file_name="x.zip")
    client.force_login(world.a.admin)
    url = reverse("school-import-run", args=[world.a.school.pk, run.pk])
    text = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in text and "<progress" in text
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith("<div") and "every 1s" in partial


@pytest.mark.parametrize(
    "who", ["other_admin", "teacher", "class_teacher", "parent", "student", "outsider", "methodologist"]
)
def test_the_pages_are_404_for_everyone_but_the_schools_administrators(world, client, who):
    run = ImportRun.objects.create(school=world.a.school, started_by=world.a.admin, file_name="x.zip")
    user = {
        "other_admin": world.b.admin,
        "teacher": world.a.subject_teacher,
        "class_teacher": world.a.class_teacher,
        "parent": world.a.parent,
        "student": world.a.student,
        "outsider": world.outsider,
        "methodologist": world.methodologist,
    }[who]
    client.force_login(user)
    school = world.a.school.pk
    assert client.get(reverse("school-import", args=[school])).status_code == 404
    assert client.get(reverse("school-import-run", args=[school, run.pk])).status_code == 404
    assert upload(client, school, dry_run=True).status_code == 404
    assert ImportRun.objects.count() == 1


def test_another_schools_run_is_404_through_ones_own_school(world, client):
    run = ImportRun.objects.create(school=world.b.school, started_by=world.b.admin, file_name="x.zip")
    client.force_login(world.a.admin)
    assert client.get(reverse("school-import-run", args=[world.a.school.pk, run.pk])).status_code == 404


def test_the_superuser_may_import_into_any_school(world, client):
    client.force_login(f.UserFactory.create(is_superuser=True, is_staff=True))
    assert client.get(reverse("school-import", args=[world.b.school.pk])).status_code == 200


def test_anonymous_is_sent_to_sign_in(world, client):
    answer = client.get(reverse("school-import", args=[world.a.school.pk]))
    assert answer.status_code == 302 and "login" in answer["Location"]
