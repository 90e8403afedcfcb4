"""Files people upload and download (message attachments, homework files): is the content what
the name says, and the one way a stored file is sent back.

A file is refused when its first bytes do not match its extension: a ".pdf" that is an HTML page
never reaches another family. Whatever was stored is sent as a download that a browser neither
shows inline, nor sniffs, nor runs (CSP sandbox), nor keeps in a shared cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.http import FileResponse, Http404

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
_JPEG = (b"\xff\xd8\xff",)


def _iso_media(head: bytes) -> bool:
    # MP4, M4A, MOV and HEIC are ISO media files: a box type at bytes 4-8 (QuickTime's older ones too).
    return head[4:8] in {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"}


def _riff(kind: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(b"RIFF") and head[8:12] == kind


def _mp3(head: bytes) -> bool:
    # An ID3 tag, or straight away an MPEG audio frame (eleven set sync bits).
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character may be cut at the end of the sample.
        return error.start >= len(head) - 3
    return True


# What each extension's content starts with: leading bytes, or a test of the first 4 KB.
SIGNATURES: dict[str, tuple[bytes, ...] | Callable[[bytes], bool]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": _JPEG,
    "jpeg": _JPEG,
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": _riff(b"WEBP"),
    "heic": _iso_media,
    "svg": _text,
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "odt": _ZIP,
    "ods": _ZIP,
    "odp": _ZIP,
    "zip": _ZIP,
    "epub": _ZIP,
    "ggb": _ZIP,
    "doc": _OLE,
    "xls": _OLE,
    "ppt": _OLE,
    "rtf": (b"{\\rtf",),
    "djvu": (b"AT&TFORM",),
    "mp3": _mp3,
    "m4a": _iso_media,
    "mp4": _iso_media,
    "mov": _iso_media,
    "ogg": (b"OggS",),
    "wav": _riff(b"WAVE"),
    "webm": (b"\x1a\x45\xdf\xa3",),
    "txt": _text,
    "csv": _text,
    # Teachers' pages and applications: text; they are only ever served sandboxed.
    "html": _text,
    "htm": _text,
}


def extension_of(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def content_matches(upload: Any, extension: str) -> bool:
    """Whether an uploaded file's first bytes are those of ``extension`` (one of SIGNATURES)."""
    signature = SIGNATURES[extension]
    upload.seek(0)
    head = bytes(upload.read(4096))
    upload.seek(0)
    if callable(signature):
        return signature(head)
    return head.startswith(signature)


def stored_upload(record: Any, upload: Any, *, max_name: int = 200) -> Any:
    """``record`` — a row with ``file``, ``name`` and ``size`` — saved with the upload's file under
    the upload's own base name (no folders a client may have sent)."""
    name = os.path.basename(upload.name or "")[:max_name]
    record.name, record.size = name, upload.size or 0
    record.file.save(name, upload, save=False)
    record.save()
    return record


def download_response(file: Any, name: str) -> FileResponse:
    """A stored file (a FieldFile) as a download under ``name``; a file gone from the disk is a 404."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
