"""Every existing school gets the journal's defaults — the 5-point grading scheme rounding up
from 0.50 and the usual control forms — as ``services.journal_defaults_ensure`` makes them. A
school created later gets them at its first mark (``services.mark_create``). What a school set
already is left alone; reversing does nothing."""

from decimal import Decimal
from typing import Any

from django.db import migrations

# Frozen copy of services.DEFAULT_CONTROL_FORMS at the time of this migration.
CONTROL_FORMS = (
    ("oral", "Устный ответ", "Oral answer", 1),
    ("classwork", "Работа на уроке", "Classwork", 1),
    ("homework", "Домашняя работа", "Homework", 1),
    ("independent", "Самостоятельная работа", "Independent work", 2),
    ("quiz", "Проверочная работа", "Quiz", 2),
    ("dictation", "Диктант", "Dictation", 2),
    ("essay", "Сочинение", "Essay", 2),
    ("lab", "Лабораторная работа", "Lab work", 2),
    ("practical", "Практическая работа", "Practical work", 2),
    ("project", "Проект", "Project", 2),
    ("test", "Контрольная работа", "Test", 3),
)


def ensure_defaults(apps: Any, schema_editor: Any) -> None:
    School = apps.get_model("schools", "School")
    GradingScheme = apps.get_model("journal", "GradingScheme")
    ControlForm = apps.get_model("journal", "ControlForm")
    for school_id in School.objects.values_list("pk", flat=True):
        GradingScheme.objects.get_or_create(
            school_id=school_id,
            subject=None,
            defaults={"scale": "five", "round_up_from": Decimal("0.50")},
        )
        existing = set(ControlForm.objects.filter(school_id=school_id).values_list("code", flat=True))
        ControlForm.objects.bulk_create(
            ControlForm(
                school_id=school_id, code=code, name_ru=ru, name_en=en, default_weight=weight, order=order
            )
            for order, (code, ru, en, weight) in enumerate(CONTROL_FORMS, start=1)
            if code not in existing
        )


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0002_journalchange_kind_period"),
        ("schools", "0001_initial"),
    ]

    operations = [migrations.RunPython(ensure_defaults, migrations.RunPython.noop)]
