"""manage.py framework_import: a clear report, non-zero exit and nothing written on errors."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from parta.curriculum.models import Outcome, Topic
from parta.curriculum.tests.framework_documents import document, renamed

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("framework_import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "algebra.json"
    path.write_text(json.dumps(document(), ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def bad(tmp_path):
    doc = renamed(document(), "geometry", "GEO")
    doc["subjects"][0]["grades"][0]["sections"][0]["topics"][0]["hours"] = "two"
    doc["subjects"][0]["grades"][1]["grade"] = 12
    path = tmp_path / "city.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_imports_and_reports_counts_per_kind(good):
    out, err = run(str(good))
    assert "subjects: 1 created, 0 updated, 0 unchanged" in out
    assert "topics: 4 created, 0 updated, 0 unchanged" in out
    assert "outcomes: 5 created, 0 updated, 0 unchanged" in out
    assert "Imported 1 file." in out
    assert err == ""
    assert Topic.objects.count() == 4


def test_a_second_run_changes_nothing(good):
    run(str(good))
    out, _err = run(str(good))
    assert "topics: 0 created, 0 updated, 4 unchanged" in out


def test_dry_run_reports_but_writes_nothing(good):
    out, _err = run(str(good), "--dry-run")
    assert "topics: 4 created" in out
    assert "nothing was written" in out
    assert Topic.objects.count() == 0


def test_errors_are_listed_with_their_place_and_the_command_fails(good, bad):
    with pytest.raises(
        CommandError, match="2 errors in the framework files; nothing was imported"
    ) as failure:
        run(str(good), str(bad))
    assert failure.value.returncode == 1
    assert not Topic.objects.exists()
    assert not Outcome.objects.exists()


def test_every_error_goes_to_stderr(bad):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("framework_import", str(bad), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert (
        f"{bad}: subjects[0] (geometry) › grade 7 › section GEO-07-01 › topic GEO-07-01-01: “hours”"
        in lines[0]
    )
    assert "grade 12: “grade” must be a whole number from 1 to 11" in lines[1]


def test_broken_json_names_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "parta-framework/1",\n "subjects": [}', encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("framework_import", str(path), stdout=StringIO(), stderr=err)
    assert "not valid JSON at line 2, column 15" in err.getvalue()
