"""Export as a zip package and import of a folder's zip: the round trip, the report of rejected
rows, a bad archive refused whole, the progress page and the API."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from parta.library.models import ImportRun, Material, Status, Visibility
from parta.library.services.authoring import MaterialData, material_create
from parta.library.services.imports import import_run_start
from parta.testing.library import png_file, published, text_material, zip_bytes
from parta.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """Runs a call and then what it queued on commit (the import's task, eager in tests)."""

    def run(call: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


PDF = b"%PDF-1.4\nnotes"


def _upload(members: dict[str, Any], name: str = "folder.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, zip_bytes(members))


def _export(user: Any, material: Material) -> zipfile.ZipFile:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("library-export", args=[material.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.getvalue()))


def _scenario(world: World) -> Material:
    teacher = world.a.subject_teacher
    notes = material_create(
        teacher,
        kind="file",
        data=MaterialData(title="Конспект", grades=[7], subject_ids=[world.a.assignment.subject_id]),
        file=SimpleUploadedFile("notes.pdf", PDF),
        cover=png_file("cover.png"),
    )
    # Another teacher's element, published for their school only: not this reader's to export.
    hidden = published(
        text_material(world.b.subject_teacher, title="Чужое"), world.methodologist, Visibility.SCHOOL
    )
    blocks: list[dict[str, Any]] = [
        {"type": "heading", "text": "Начало"},
        {"type": "material", "material": notes.pk},
        {"type": "material", "material": hidden.pk},
    ]
    scenario = Material.objects.get(pk=_scenario_with(teacher, blocks[:2]).pk)
    # The block of the other school's element is added as if it had been readable when saved.
    version = scenario.latest
    assert version is not None
    version.content = {"blocks": blocks}
    version.save()
    return scenario


def _scenario_with(teacher: Any, blocks: list[dict[str, Any]]) -> Material:
    return material_create(
        teacher, kind="scenario", data=MaterialData(title="Урок", content={"blocks": blocks})
    )


def test_an_export_holds_the_manifest_the_file_and_the_readable_elements(world: World) -> None:
    scenario = _scenario(world)
    package = _export(world.a.subject_teacher, scenario)
    manifest = json.loads(package.read("manifest.json"))
    assert (
        manifest["format"] == "parta-library" and manifest["kind"] == "scenario" and manifest["version"] == 1
    )
    notes_id = manifest["content"]["blocks"][1]["material"]
    assert len(manifest["content"]["blocks"]) == 2  # the unreadable element's block is left out
    assert manifest["elements"] == [f"elements/{notes_id}/"]
    element = json.loads(package.read(f"elements/{notes_id}/manifest.json"))
    assert element["file"] == "file/notes.pdf" and element["cover"] == "cover.png"
    assert element["subjects"] == [world.a.assignment.subject.code] and element["grades"] == [7]
    assert package.read(f"elements/{notes_id}/file/notes.pdf") == PDF
    assert Client().get(reverse("library-export", args=[scenario.pk])).status_code == 404


def test_export_then_import_makes_the_same_materials(world: World, committed: Any) -> None:
    scenario = _scenario(world)
    buffer = io.BytesIO()
    package = _export(world.a.subject_teacher, scenario)
    with zipfile.ZipFile(buffer, "w") as copy:
        for info in package.infolist():
            copy.writestr(info, package.read(info))
    importer = world.b.subject_teacher
    run = committed(import_run_start, actor=importer, archive=SimpleUploadedFile("m.zip", buffer.getvalue()))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.created == 2, run.report
    notes, lesson = Material.objects.filter(pk__in=[row["id"] for row in run.report["created"]]).order_by(
        "pk"
    )
    assert (notes.title, notes.kind, notes.grades, notes.status) == ("Конспект", "file", [7], Status.DRAFT)
    assert notes.latest is not None and notes.latest.file.read() == PDF and notes.cover
    assert lesson.latest is not None
    assert lesson.latest.content["blocks"] == [
        {"type": "heading", "text": "Начало"},
        {"type": "material", "material": notes.pk},
    ]
    assert not run.archive


def test_a_csv_manifest_imports_good_rows_and_reports_each_bad_one(
    world: World, settings: Any, committed: Any
) -> None:
    subject = world.a.assignment.subject
    csv = (
        "title,kind,description,subjects,grades,topics,language,licence,authors,duration_minutes,file,url,body\n"
        f"Конспект,file,Кратко,{subject.code},7;8,,ru,cc-by,Иванова,45,docs/notes.pdf,,\n"
        "Видео,video,,,,,,,,,,https://video.example/1,\n"
        ",text,,nosuch,13,,xx,,,abc,,,\n"
        "Подделка,audio,,,,,,,,,fake.mp3,,\n"
        "Пропал,file,,,,,,,,,missing.pdf,,\n"
    )
    archive = _upload({"manifest.csv": csv, "docs/notes.pdf": PDF, "fake.mp3": "<html>"})
    run = committed(import_run_start, actor=world.a.subject_teacher, archive=archive)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.total == 5 and run.created == 2
    created = Material.objects.get(title="Конспект")
    assert (
        created.grades == [7, 8]
        and created.duration_minutes == 45
        and list(created.subjects.all()) == [subject]
    )
    rejected = {row["row"]: row["errors"] for row in run.report["rejected"]}
    assert set(rejected) == {4, 5, 6}
    assert set(rejected[4]) == {"title", "subjects", "grades", "language", "duration_minutes", "content"}
    assert rejected[5] == {"file": ["The file's content is not a .mp3 file."]}
    assert rejected[6] == {"file": ["The archive has no file missing.pdf."]}
    # The archive is gone; only the one good file is stored.
    stored = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert stored == ["notes.pdf"]


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"notes.txt": "x"}, "The archive has no manifest.csv or manifest.json at its top."),
        ({"manifest.csv": "name\nx\n"}, "manifest.csv needs at least the columns title and kind."),
        ({"manifest.json": "{"}, "manifest.json is not valid JSON in UTF-8."),
        ({"manifest.json": "[]"}, "The manifest lists no materials."),
        (
            {"manifest.csv": "title,kind\n", "../up.txt": "x"},
            "The archive has a member outside its folder: ../up.txt.",
        ),
    ],
)
def test_a_bad_archive_is_refused_whole(
    world: World, settings: Any, members: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError) as error:
        import_run_start(actor=world.a.subject_teacher, archive=_upload(members))
    assert error.value.message_dict == {"archive": [reason]}
    assert not ImportRun.objects.exists()
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_not_a_zip_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        import_run_start(
            actor=world.a.subject_teacher, archive=SimpleUploadedFile("list.csv", b"title,kind\n")
        )
    assert error.value.message_dict == {"archive": ["The archive must be a .zip file."]}


def test_the_page_shows_progress_then_the_report(world: World, committed: Any) -> None:
    client = Client()
    client.force_login(world.a.subject_teacher)
    page = client.get(reverse("library-import"))
    assert page.status_code == 200 and b'id="import-form"' in page.content
    csv = "title,kind,body\nКонспект,text,Текст\n,text,\n"
    response = committed(client.post, reverse("library-import"), {"archive": _upload({"manifest.csv": csv})})
    assert response.status_code == 302
    run = ImportRun.objects.get()
    report = client.get(response["Location"])
    assert b'data-status="done"' in report.content and b'value="100"' in report.content
    assert b"Give the material a title." in report.content and "Конспект" in report.content.decode()
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="import-run"')
    refused = client.post(reverse("library-import"), {"archive": _upload({"x.txt": "x"})})
    assert refused.status_code == 400 and b"no manifest.csv or manifest.json" in refused.content
    other = Client()
    other.force_login(world.b.subject_teacher)
    assert other.get(reverse("library-import-run", args=[run.pk])).status_code == 404
    student = Client()
    student.force_login(world.a.student)
    assert student.get(reverse("library-import")).status_code == 404


def test_a_run_still_running_polls(world: World) -> None:
    run = ImportRun.objects.create(owner=world.a.subject_teacher, archive="library/imports/x.zip")
    client = Client()
    client.force_login(world.a.subject_teacher)
    content = client.get(reverse("library-import-run", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in content and 'data-status="queued"' in content


def test_the_api_starts_a_run_once_and_reads_it(world: World, committed: Any) -> None:
    client = APIClient()
    client.force_authenticate(world.a.subject_teacher)
    members = {
        "manifest.json": json.dumps([{"title": "Текст", "kind": "text", "body": "Б"}, {"kind": "text"}])
    }
    url = reverse("api-library-imports")
    archive = zip_bytes(members)  # a retry sends the same bytes (a zip made again may differ in its times)
    first = committed(
        client.post,
        url,
        {"archive": SimpleUploadedFile("folder.zip", archive)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert first.status_code == 201, first.content
    again = client.post(
        url,
        {"archive": SimpleUploadedFile("folder.zip", archive)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert again.json() == first.json() and ImportRun.objects.count() == 1
    body = client.get(reverse("api-library-import", args=[first.json()["id"]])).json()
    assert body["status"] == "done" and body["progress"] == 100 and body["total"] == 2
    assert [row["row"] for row in body["created"]] == [1]
    assert body["rejected"] == [
        {
            "row": 2,
            "title": "",
            "errors": {"title": ["Give the material a title."], "content": ["Write the text."]},
        }
    ]
    bad = client.post(url, {"archive": _upload({"a.txt": "a"})}, format="multipart")
    assert bad.status_code == 400 and "archive" in bad.json()["errors"]
    client.force_authenticate(world.b.subject_teacher)
    assert client.get(reverse("api-library-import", args=[first.json()["id"]])).status_code == 404
