"""An upload's content must be what its name says; a stored file goes out as a sandboxed download."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parta.core.files import SIGNATURES, content_matches, extension_of

GOOD = {
    "a.pdf": b"%PDF-1.7\n",
    "a.PNG": b"\x89PNG\r\n\x1a\n....",
    "a.webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    "a.wav": b"RIFF\x00\x00\x00\x00WAVEfmt ",
    "a.mp4": b"\x00\x00\x00\x18ftypmp42",
    "a.heic": b"\x00\x00\x00\x18ftypheic",
    "a.mp3": b"ID3\x04\x00",
    "b.mp3": b"\xff\xfb\x90\x00",
    "a.ogg": b"OggS\x00",
    "a.webm": b"\x1a\x45\xdf\xa3\x01",
    "a.epub": b"PK\x03\x04mimetype",
    "a.djvu": b"AT&TFORM\x00",
    "a.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "a.txt": "Привет".encode() + b"\xd0",  # a letter cut at the end of the sample
}
BAD = {
    "a.pdf": b"<html><script>alert(1)</script>",
    "a.png": b"MZ\x90\x00",
    "a.webp": b"RIFF\x00\x00\x00\x00WAVEfmt ",
    "a.mp3": b"<html>",
    "a.txt": b"MZ\x00\x00",
    "a.svg": b"\xff\xfe<\x00s\x00",
    "a.docx": b"%PDF-1.7",
}


@pytest.mark.parametrize("name", GOOD)
def test_content_that_matches_its_name_is_accepted(name):
    assert content_matches(SimpleUploadedFile(name, GOOD[name]), extension_of(name))


@pytest.mark.parametrize("name", BAD)
def test_content_that_does_not_match_its_name_is_refused(name):
    upload = SimpleUploadedFile(name, BAD[name])
    assert not content_matches(upload, extension_of(name))
    assert upload.tell() == 0


def test_every_signature_is_for_a_lowercase_extension():
    assert all(extension == extension.lower() for extension in SIGNATURES)
