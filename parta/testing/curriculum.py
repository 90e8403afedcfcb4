"""Framework topics for tests that tie things (lessons, library materials) to a topic."""

from __future__ import annotations

from parta.curriculum.models import Section, Topic
from parta.schools.models import Subject


def framework_topic(subject: Subject, grade: int, code: str) -> Topic:
    """A framework topic of the subject and grade (in a section made for them if need be)."""
    section, _created = Section.objects.get_or_create(
        code=f"{subject.code}-{grade}",
        defaults={
            "subject": subject,
            "grade": grade,
            "title_ru": "Раздел",
            "title_en": "Section",
            "order": 1,
        },
    )
    return Topic.objects.create(
        section=section,
        subject=subject,
        grade=grade,
        code=code,
        title_ru=f"Тема {code}",
        title_en=f"Topic {code}",
        hours=2,
        order=1,
    )
