"""What the library accepts as a material's file and cover, checked before anything is stored.

- Each type of material takes its own file types, known by the extension AND by the content
  (``parta.core.files``): a ".mp4" that is a web page is refused.
- Each type has its size limit (``settings.PARTA_LIBRARY_MAX_MB``; a video may be larger than a
  document).
- A cover is a raster picture that Pillow can read (an SVG can carry scripts: an image material
  may be one, but it is only ever downloaded, never shown inline).
- A zip (an application's folder, an office document, an import) is read by its directory without
  unpacking: a limited number of members, a limited unpacked size and compression ratio (a zip
  bomb), names that stay inside it (no absolute paths, no "..", no device names), no symbolic
  links, and at most one level of archives inside it. Python's zipfile never reads a member past
  its declared size (and checks its CRC), so the declared sizes bound what reading can cost.

Every refusal is a ValidationError at the field ("file", "cover") with the reason.
"""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from parta.core.files import content_matches, extension_of
from parta.library.models import Kind

RASTER = frozenset({"png", "jpg", "jpeg", "gif", "webp"})
IMAGES = RASTER | {"svg"}
VIDEO = frozenset({"mp4", "webm", "ogg"})
AUDIO = frozenset({"mp3", "ogg", "m4a", "wav"})
APPLICATION = frozenset({"html", "htm", "zip"})
DOCUMENTS = frozenset(
    {"pdf", "epub", "docx", "doc", "pptx", "ppt", "xlsx", "xls", "odt", "ods", "odp", "rtf", "txt", "djvu",
     "csv", "ggb", "zip"}
)  # fmt: skip
APP_KINDS = frozenset({Kind.APPLICATION, Kind.SIMULATOR, Kind.LAB})

# The file types of each kind of material, and the size limit (a key of PARTA_LIBRARY_MAX_MB).
ACCEPTED: dict[str, tuple[frozenset[str], str]] = {
    Kind.IMAGE: (IMAGES, "image"),
    Kind.VIDEO: (VIDEO, "video"),
    Kind.VIDEO_LESSON: (VIDEO, "video"),
    Kind.AUDIO: (AUDIO, "audio"),
    Kind.APPLICATION: (APPLICATION, "application"),
    Kind.SIMULATOR: (APPLICATION, "application"),
    Kind.LAB: (APPLICATION, "application"),
    Kind.FILE: (DOCUMENTS, "document"),
    Kind.TEXT: (DOCUMENTS, "document"),
    Kind.AID: (DOCUMENTS, "document"),
    Kind.WORKBOOK: (DOCUMENTS, "document"),
    Kind.TEST: (DOCUMENTS, "document"),
    Kind.FICTION: (DOCUMENTS, "document"),
}
# Files whose content is a zip: the archive checks apply to them all.
ZIP_BASED = frozenset({"zip", "docx", "pptx", "xlsx", "odt", "ods", "odp", "epub", "ggb"})
APP_INDEX = "index.html"
# Pillow reads the header only; a picture of more pixels than this is refused (a decompression bomb).
MAX_PIXELS = 40_000_000
# Names Windows gives to devices: a member so named cannot be unpacked safely there.
_DEVICE = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")


def limit_bytes(name: str) -> int:
    return int(settings.PARTA_LIBRARY_MAX_MB[name]) * 2**20


def _too_large(limit: int) -> str:
    return _("The file is larger than %(size)s.") % {"size": filesizeformat(limit)}


def _names(extensions: Iterable[str]) -> str:
    return ", ".join(sorted(extensions))


# --- archives ----------------------------------------------------------------------------


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\x00" in name or "\\" in name or name.startswith("/") or _DRIVE.match(name):
        return _("The archive has a member with an absolute or unusual path: %(name)s.") % {"name": name}
    parts = PurePosixPath(name).parts
    if ".." in parts:
        return _("The archive has a member outside its folder: %(name)s.") % {"name": name}
    if any(_DEVICE.match(part) for part in parts):
        return _("The archive has a member named as a device: %(name)s.") % {"name": name}
    if stat.S_ISLNK(info.external_attr >> 16):
        return _("The archive has a symbolic link: %(name)s.") % {"name": name}
    if info.flag_bits & 0x1:
        return _("The archive has an encrypted member: %(name)s.") % {"name": name}
    return None


def _check_zip(archive: zipfile.ZipFile, depth: int, budget: list[int]) -> None:
    """Raise ValueError with the reason when the archive (or one inside it) is unsafe. ``budget``
    is what is left of the members and unpacked bytes the whole upload may have."""
    members = archive.infolist()
    budget[0] -= len(members)
    if budget[0] < 0:
        raise ValueError(
            _("The archive has more than %(count)d files.")
            % {"count": settings.PARTA_LIBRARY_ZIP_MAX_MEMBERS}
        )
    unpacked = sum(info.file_size for info in members)
    packed = sum(info.compress_size for info in members)
    budget[1] -= unpacked
    if budget[1] < 0:
        limit = settings.PARTA_LIBRARY_ZIP_MAX_UNPACKED_MB * 2**20
        raise ValueError(
            _("Unpacked, the archive is larger than %(size)s.") % {"size": filesizeformat(limit)}
        )
    ratio = settings.PARTA_LIBRARY_ZIP_MAX_RATIO
    # Small archives of text compress well and harm no one: the ratio counts from 1 MB.
    if unpacked > 2**20 and unpacked > ratio * max(packed, 1):
        raise ValueError(_("The archive is compressed suspiciously well (a zip bomb?)."))
    for info in members:
        problem = _member_problem(info)
        if problem:
            raise ValueError(problem)
        if info.is_dir() or extension_of(info.filename) != "zip":
            continue
        if depth >= 1:
            raise ValueError(_("The archive has an archive inside an archive inside it."))
        with archive.open(info) as inner:
            try:
                with zipfile.ZipFile(inner) as nested:
                    _check_zip(nested, depth + 1, budget)
            except zipfile.BadZipFile:
                raise ValueError(
                    _("The archive inside it is damaged: %(name)s.") % {"name": info.filename}
                ) from None


def check_archive(file: IO[bytes] | Any) -> list[str]:
    """The names of a zip's files when it is safe to read (see the module); ValueError with the
    reason otherwise. The file is left at its start."""
    budget = [settings.PARTA_LIBRARY_ZIP_MAX_MEMBERS, settings.PARTA_LIBRARY_ZIP_MAX_UNPACKED_MB * 2**20]
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            _check_zip(archive, 0, budget)
            return [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, EOFError, NotImplementedError):
        raise ValueError(_("The archive is damaged or is not a zip.")) from None
    finally:
        file.seek(0)


def app_root(names: Iterable[str]) -> str | None:
    """The folder of an application's zip that holds its index.html: the root ("") or its one
    top folder ("app/"); None when there is none."""
    names = list(names)
    if APP_INDEX in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and f"{next(iter(tops))}/{APP_INDEX}" in names:
        return f"{next(iter(tops))}/"
    return None


# --- files and covers --------------------------------------------------------------------


def _check_raster(file: Any, extension: str) -> str | None:
    formats = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
    file.seek(0)
    try:
        with Image.open(file) as image:
            width, height = image.size
            if image.format != formats[extension]:
                return _("The picture is not what its name says.")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return _("The picture is damaged or is not a picture.")
    finally:
        file.seek(0)
    if width * height > MAX_PIXELS:
        return _("The picture has too many pixels.")
    return None


def _type_problem(kind: str, file: Any) -> str | None:
    """Whether the kind takes a file of this name, size and first bytes."""
    accepted = ACCEPTED.get(kind)
    if accepted is None:
        return _("This type of material takes no file.")
    extensions, limit_name = accepted
    extension = extension_of(str(getattr(file, "name", "") or ""))
    size = int(getattr(file, "size", 0) or 0)
    problem = None
    if extension not in extensions:
        problem = _("This type of material takes these files: %(types)s.") % {"types": _names(extensions)}
    elif not size:
        problem = _("The file is empty.")
    elif size > limit_bytes(limit_name):
        problem = _too_large(limit_bytes(limit_name))
    elif not content_matches(file, extension):
        problem = _("The file's content is not a .%(ext)s file.") % {"ext": extension}
    return problem


def _file_problem(kind: str, file: Any) -> str | None:
    problem = _type_problem(kind, file)
    extension = extension_of(str(getattr(file, "name", "") or ""))
    if problem is None and extension in RASTER:
        problem = _check_raster(file, extension)
    elif problem is None and extension in ZIP_BASED:
        try:
            names = check_archive(file)
        except ValueError as error:
            return str(error)
        if kind in APP_KINDS and app_root(names) is None:
            problem = _("An application's zip needs index.html at its top.")
    return problem


def _cover_problem(cover: Any) -> str | None:
    extension = extension_of(str(getattr(cover, "name", "") or ""))
    if extension not in RASTER:
        return _("A cover is a picture: %(types)s.") % {"types": _names(RASTER)}
    size = int(getattr(cover, "size", 0) or 0)
    if size > limit_bytes("cover"):
        return _too_large(limit_bytes("cover"))
    if not size or not content_matches(cover, extension):
        return _("The picture is damaged or is not a picture.")
    return _check_raster(cover, extension)


def check_upload(kind: str, file: Any | None, cover: Any | None) -> None:
    """Raise ValidationError ({"file": …, "cover": …}) when a material of ``kind`` may not take
    this file or cover; nothing is stored before this passes."""
    errors: dict[str, list[str]] = {}
    if file is not None and (problem := _file_problem(kind, file)):
        errors["file"] = [problem]
    if cover is not None and (problem := _cover_problem(cover)):
        errors["cover"] = [problem]
    if errors:
        raise ValidationError(errors)
