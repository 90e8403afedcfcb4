"""The city's subject catalogue and the Russian basic curriculum (five-day week) the generator follows."""

from __future__ import annotations

from parta.schools.models import Subject

# (code, Russian name, English name) in the order schools list subjects.
SUBJECTS: tuple[tuple[str, str, str], ...] = (
    ("russian", "Русский язык", "Russian language"),
    ("reading", "Литературное чтение", "Literary reading"),
    ("literature", "Литература", "Literature"),
    ("english", "Иностранный язык (английский)", "Foreign language (English)"),
    ("math", "Математика", "Mathematics"),
    ("algebra", "Алгебра", "Algebra"),
    ("geometry", "Геометрия", "Geometry"),
    ("probability", "Вероятность и статистика", "Probability and statistics"),
    ("informatics", "Информатика", "Computer science"),
    ("history", "История", "History"),
    ("social", "Обществознание", "Social studies"),
    ("geography", "География", "Geography"),
    ("world", "Окружающий мир", "The world around us"),
    ("physics", "Физика", "Physics"),
    ("chemistry", "Химия", "Chemistry"),
    ("biology", "Биология", "Biology"),
    ("music", "Музыка", "Music"),
    ("art", "Изобразительное искусство", "Fine art"),
    ("technology", "Труд (технология)", "Technology"),
    ("pe", "Физическая культура", "Physical education"),
    ("obzr", "Основы безопасности и защиты Родины", "Basics of security and defence of the Motherland"),
)

_PRIMARY = {
    "russian": 5,
    "reading": 4,
    "math": 4,
    "world": 2,
    "english": 2,
    "music": 1,
    "art": 1,
    "technology": 1,
    "pe": 2,
}
_SENIOR = {
    "russian": 2,
    "literature": 3,
    "english": 3,
    "algebra": 3,
    "geometry": 2,
    "probability": 1,
    "informatics": 1,
    "history": 2,
    "social": 2,
    "geography": 1,
    "physics": 2,
    "chemistry": 1,
    "biology": 1,
    "pe": 2,
    "obzr": 1,
}


def _basic(grade: int) -> dict[str, int]:
    """Grades 7–9 of the basic curriculum."""
    hours = {
        "russian": {7: 4, 8: 3, 9: 3}[grade],
        "literature": {7: 2, 8: 2, 9: 3}[grade],
        "english": 3,
        "algebra": 3,
        "geometry": 2,
        "probability": 1,
        "informatics": 1,
        "history": 2,
        "social": 1,
        "geography": 2,
        "physics": {7: 2, 8: 2, 9: 3}[grade],
        "chemistry": 0 if grade == 7 else 2,
        "biology": 1 if grade == 7 else 2,
        "music": 1 if grade <= 8 else 0,
        "art": 1 if grade == 7 else 0,
        "technology": 2 if grade == 7 else 1,
        "pe": 2,
        "obzr": 0 if grade == 7 else 1,
    }
    return {code: h for code, h in hours.items() if h}


# Weekly hours by grade (the federal basic curriculum for a five-day week).
CURRICULUM: dict[int, dict[str, int]] = {
    1: {code: h for code, h in _PRIMARY.items() if code != "english"},
    2: dict(_PRIMARY),
    3: dict(_PRIMARY),
    4: {**_PRIMARY, "reading": 3},
    5: {
        "russian": 5,
        "literature": 3,
        "english": 3,
        "math": 5,
        "history": 2,
        "geography": 1,
        "biology": 1,
        "music": 1,
        "art": 1,
        "technology": 2,
        "pe": 2,
    },
    6: {
        "russian": 6,
        "literature": 3,
        "english": 3,
        "math": 5,
        "history": 2,
        "social": 1,
        "geography": 1,
        "biology": 1,
        "music": 1,
        "art": 1,
        "technology": 2,
        "pe": 2,
    },
    7: _basic(7),
    8: _basic(8),
    9: _basic(9),
    10: dict(_SENIOR),
    11: dict(_SENIOR),
}

# A class splits into two subgroups, each with its own teacher, for these subjects.
_SPLIT = {"english": 2, "informatics": 7, "technology": 5}  # subject → first grade where it splits


def is_split(code: str, grade: int) -> bool:
    return code in _SPLIT and grade >= _SPLIT[code]


# Which kind of teacher teaches a subject. In grades 1–4 the class's own primary teacher
# teaches everything except these specialists' subjects.
PRIMARY_SPECIALISTS = frozenset({"english", "music", "pe"})
DEPARTMENTS: dict[str, str] = {
    "russian": "russian",
    "literature": "russian",
    "math": "math",
    "algebra": "math",
    "geometry": "math",
    "probability": "math",
    "english": "english",
    "history": "history",
    "social": "history",
    "geography": "geography",
    "biology": "biology",
    "chemistry": "chemistry",
    "physics": "physics",
    "informatics": "informatics",
    "music": "music",
    "art": "art",
    "technology": "technology",
    "pe": "pe",
    "obzr": "obzr",
}
# Staff positions as a Russian school writes them (data, not interface text).
POSITIONS: dict[str, str] = {
    "primary": "учитель начальных классов",
    "russian": "учитель русского языка и литературы",
    "math": "учитель математики",
    "english": "учитель английского языка",
    "history": "учитель истории и обществознания",
    "geography": "учитель географии",
    "biology": "учитель биологии",
    "chemistry": "учитель химии",
    "physics": "учитель физики",
    "informatics": "учитель информатики",
    "music": "учитель музыки",
    "art": "учитель изобразительного искусства",
    "technology": "учитель труда (технологии)",
    "pe": "учитель физической культуры",
    "obzr": "преподаватель-организатор ОБЗР",
}
# Who is asked first to lead a class of grades 5–11.
CLASS_TEACHER_PRIORITY = (
    "math",
    "russian",
    "history",
    "english",
    "biology",
    "geography",
    "physics",
    "chemistry",
)


def department(code: str, grade: int) -> str:
    if grade <= 4 and code not in PRIMARY_SPECIALISTS:
        return "primary"
    return DEPARTMENTS[code]


def subjects_ensure() -> dict[str, Subject]:
    """The city catalogue by code; subjects that exist already (from an earlier run or the framework
    import, which uses the same codes) are kept as they are."""
    subjects = {}
    for order, (code, ru, en) in enumerate(SUBJECTS, start=1):
        subjects[code], _created = Subject.objects.get_or_create(
            code=code, defaults={"name_ru": ru, "name_en": en, "order": order}
        )
    return subjects
