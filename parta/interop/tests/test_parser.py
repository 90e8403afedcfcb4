"""The parser never raises on what a bundle holds: whatever is wrong is an error entry."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parta.interop import binding as b
from parta.interop.parser import BundleUnreadable, parse, read_path, read_zip
from parta.interop.report import ERROR, SKIPPED

BUNDLES = Path(__file__).parent / "bundles"
NAMES = [b.MANIFEST, *b.MANIFEST_NAME]
# Text made of the characters that matter to CSV, with some of the binding's own words.
CELLS = st.one_of(
    st.text(alphabet=st.sampled_from(list(',"\r\n\x00 aZя-:T0129')), max_size=12),
    st.sampled_from(
        ["sourcedId", "status", "tobedeleted", "active", "bulk", "delta", "1.2", "1.1", "school"]
    ),
)


def _csv(rows: list[list[str]]) -> bytes:
    return "\r\n".join(",".join(row) for row in rows).encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(NAMES), st.binary(max_size=300), max_size=9))
def test_any_bytes_give_a_report(files):
    _bundle, report = parse(files)
    assert all(entry.outcome in (ERROR, SKIPPED) for entry in report.entries)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(b.MANIFEST_NAME)),
    st.lists(st.lists(CELLS, min_size=0, max_size=25), max_size=6),
)
def test_any_table_in_a_real_bundle_gives_a_report(name, rows):
    files = read_path(BUNDLES / "v12")
    header = files[name].decode().split("\r\n")[0].split(",")
    files[name] = _csv([header, *rows])
    _bundle, report = parse(files)
    for entry in report.entries:
        assert entry.outcome in (ERROR, SKIPPED)
        assert entry.file and entry.message


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_any_upload_is_a_zip_or_a_plain_refusal(data):
    # Anything but BundleUnreadable fails the test.
    with contextlib.suppress(BundleUnreadable):
        read_zip(data)


def test_the_tiny_bundles_are_valid():
    for version in ("v11", "v12"):
        bundle, report = parse(read_path(BUNDLES / version))
        assert not report.refused, report.lines()
        assert bundle.version == ("1.1" if version == "v11" else "1.2")
