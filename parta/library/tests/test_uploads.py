"""What the library refuses to store, and why: each refusal names its reason at the field and
leaves no row and no file behind."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from parta.library.models import Material, MaterialVersion
from parta.library.services.authoring import MaterialData, material_create, material_save
from parta.library.uploads import app_root, check_archive, check_upload
from parta.testing.library import app_zip, png_file, text_material, zip_bytes
from parta.testing.world import World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"0" * 100


def _refused(kind: str, file: Any = None, cover: Any = None) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        check_upload(kind, file, cover)
    return error.value.message_dict


def _stored(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_good_files_pass(settings: Any) -> None:
    check_upload("file", SimpleUploadedFile("notes.pdf", PDF), png_file())
    check_upload("image", png_file(), None)
    check_upload("application", app_zip(), None)
    check_upload("lab", SimpleUploadedFile("lab.html", b"<!doctype html><p>lab</p>"), None)
    check_upload("video", SimpleUploadedFile("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"0" * 64), None)
    nested = zip_bytes({"app/index.html": "<p>hi</p>", "app/data.zip": zip_bytes({"a.txt": "a"})})
    check_upload("application", SimpleUploadedFile("app.zip", nested), None)


def test_a_fake_extension_is_refused_by_content() -> None:
    page = SimpleUploadedFile("clip.mp4", b"<html><script>alert(1)</script></html>")
    assert _refused("video", page) == {"file": ["The file's content is not a .mp4 file."]}
    fake_png = SimpleUploadedFile("scheme.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    assert _refused("image", fake_png) == {"file": ["The picture is damaged or is not a picture."]}


def test_a_type_the_kind_does_not_take_is_refused() -> None:
    assert _refused("audio", SimpleUploadedFile("a.pdf", PDF))["file"][0].startswith(
        "This type of material takes these files: m4a, mp3, ogg, wav"
    )
    assert _refused("link", SimpleUploadedFile("a.pdf", PDF)) == {
        "file": ["This type of material takes no file."]
    }


def test_a_cover_is_a_raster_picture_only() -> None:
    svg = SimpleUploadedFile("cover.svg", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    assert _refused("file", None, svg)["cover"][0].startswith("A cover is a picture")
    png_named_jpeg = png_file("cover.jpg")
    assert _refused("file", None, png_named_jpeg) == {
        "cover": ["The picture is damaged or is not a picture."]
    }
    check_upload("file", None, png_file("cover.png"))


def test_sizes_are_limited_per_kind(settings: Any) -> None:
    settings.PARTA_LIBRARY_MAX_MB = {**settings.PARTA_LIBRARY_MAX_MB, "document": 1, "video": 2}
    big = b"%PDF-1.4\n" + b"0" * (2**20)
    assert _refused("file", SimpleUploadedFile("big.pdf", big)) == {
        "file": ["The file is larger than 1.0\xa0MB."]
    }
    check_upload("video", SimpleUploadedFile("big.mp4", b"\x00\x00\x00\x18ftypmp42" + b"0" * (2**20)), None)
    assert _refused("file", SimpleUploadedFile("empty.pdf", b"")) == {"file": ["The file is empty."]}


def _raw_zip(infos: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in infos:
            archive.writestr(info, content)
    return buffer.getvalue()


def _reason(members: bytes) -> str:
    with pytest.raises(ValueError) as error:
        check_archive(io.BytesIO(members))
    return str(error.value)


def test_a_zip_bomb_is_refused(settings: Any) -> None:
    bomb = zip_bytes({"index.html": "<p>", "zeros.txt": b"\x00" * (20 * 2**20)})
    assert _reason(bomb) == "The archive is compressed suspiciously well (a zip bomb?)."
    settings.PARTA_LIBRARY_ZIP_MAX_UNPACKED_MB = 1
    assert _reason(zip_bytes({"a.txt": b"a" * (2 * 2**20)})).startswith("Unpacked, the archive is larger")
    assert _refused("application", SimpleUploadedFile("app.zip", bomb))["file"][0].startswith("Unpacked")


def test_too_many_members_are_refused(settings: Any) -> None:
    settings.PARTA_LIBRARY_ZIP_MAX_MEMBERS = 3
    assert _reason(zip_bytes({f"{n}.txt": "x" for n in range(4)})) == "The archive has more than 3 files."


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.html", "outside its folder"),
        ("app/../../evil.html", "outside its folder"),
        ("/etc/passwd", "absolute or unusual path"),
        ("C:/windows/evil.dll", "absolute or unusual path"),
        ("app\\..\\evil.html", "absolute or unusual path"),
        ("app/CON.txt", "named as a device"),
    ],
)
def test_a_path_traversal_is_refused(name: str, reason: str) -> None:
    assert reason in _reason(
        _raw_zip([(zipfile.ZipInfo("index.html"), b"<p>"), (zipfile.ZipInfo(name), b"x")])
    )


def test_a_symlink_is_refused() -> None:
    link = zipfile.ZipInfo("index.html")
    link.external_attr = 0o120777 << 16
    assert _reason(_raw_zip([(link, b"/etc/passwd")])) == "The archive has a symbolic link: index.html."


def test_archives_nest_one_level_only() -> None:
    deep = zip_bytes({"index.html": "<p>", "a.zip": zip_bytes({"b.zip": zip_bytes({"c.txt": "c"})})})
    assert _reason(deep) == "The archive has an archive inside an archive inside it."
    assert _reason(b"PK\x03\x04 not really a zip") == "The archive is damaged or is not a zip."


def test_an_application_needs_its_index() -> None:
    assert app_root(["index.html", "app.js"]) == ""
    assert app_root(["game/index.html", "game/app.js"]) == "game/"
    assert app_root(["a/index.html", "b/x.js"]) is None
    no_index = SimpleUploadedFile("app.zip", zip_bytes({"main.html": "<p>"}))
    assert _refused("application", no_index) == {
        "file": ["An application's zip needs index.html at its top."]
    }


def test_a_refused_upload_leaves_no_row_and_no_file(world: World, settings: Any) -> None:
    teacher = world.a.subject_teacher
    bomb = SimpleUploadedFile("app.zip", zip_bytes({"index.html": "<p>", "z.txt": b"\x00" * (20 * 2**20)}))
    with pytest.raises(ValidationError) as error:
        material_create(teacher, kind="application", data=MaterialData(title="Игра"), file=bomb)
    assert "zip bomb" in error.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as error:
        material_create(
            teacher,
            kind="file",
            data=MaterialData(title="Конспект"),
            file=SimpleUploadedFile("notes.pdf", PDF),
            cover=SimpleUploadedFile("cover.png", b"GIF89a"),
        )
    assert set(error.value.message_dict) == {"cover"}
    assert not Material.objects.exists()
    material = text_material(teacher)
    with pytest.raises(ValidationError):
        material_save(
            teacher,
            material.pk,
            data=MaterialData(title="Т", content={"body": "т"}),
            file=SimpleUploadedFile("a.exe", b"MZ"),
        )
    assert MaterialVersion.objects.count() == 1
    assert _stored(settings) == []
