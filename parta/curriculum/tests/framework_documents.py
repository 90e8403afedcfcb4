"""A small valid framework document for the import tests (a fresh copy each call)."""

from __future__ import annotations

from typing import Any

TOPIC = "subjects[0] (algebra) › grade 7 › section ALG-07-01 › topic ALG-07-01-01"


def outcome(code: str) -> dict[str, Any]:
    return {"code": code, "text_ru": f"Умеет {code}", "text_en": f"Can {code}"}


def document() -> dict[str, Any]:
    return {
        "format": "parta-framework/1",
        "subjects": [
            {
                "code": "algebra",
                "title_ru": "Алгебра",
                "title_en": "Algebra",
                "grades": [
                    {
                        "grade": 7,
                        "sections": [
                            {
                                "code": "ALG-07-01",
                                "title_ru": "Числа и вычисления",
                                "title_en": "Numbers and calculations",
                                "topics": [
                                    {
                                        "code": "ALG-07-01-01",
                                        "title_ru": "Рациональные числа",
                                        "title_en": "Rational numbers",
                                        "hours": 4,
                                        "outcomes": [outcome("ALG-07-01-01.1"), outcome("ALG-07-01-01.2")],
                                    },
                                    {
                                        "code": "ALG-07-01-02",
                                        "title_ru": "Степень с натуральным показателем",
                                        "title_en": "Powers with natural exponents",
                                        "hours": 3,
                                        "outcomes": [outcome("ALG-07-01-02.1")],
                                    },
                                ],
                            },
                            {
                                "code": "ALG-07-02",
                                "title_ru": "Алгебраические выражения",
                                "title_en": "Algebraic expressions",
                                "topics": [
                                    {
                                        "code": "ALG-07-02-01",
                                        "title_ru": "Многочлены",
                                        "title_en": "Polynomials",
                                        "hours": 5,
                                        "outcomes": [outcome("ALG-07-02-01.1")],
                                    }
                                ],
                            },
                        ],
                    },
                    {
                        "grade": 8,
                        "sections": [
                            {
                                "code": "ALG-08-01",
                                "title_ru": "Квадратные корни",
                                "title_en": "Square roots",
                                "topics": [
                                    {
                                        "code": "ALG-08-01-01",
                                        "title_ru": "Арифметический квадратный корень",
                                        "title_en": "Arithmetic square root",
                                        "hours": 6,
                                        "outcomes": [outcome("ALG-08-01-01.1")],
                                    }
                                ],
                            }
                        ],
                    },
                ],
            }
        ],
    }


def renamed(doc: dict[str, Any], subject: str, prefix: str) -> dict[str, Any]:
    """The document as another subject: the subject code and every code's ALG prefix replaced."""
    doc["subjects"][0]["code"] = subject
    for grade in doc["subjects"][0]["grades"]:
        for section in grade["sections"]:
            section["code"] = prefix + section["code"][3:]
            for topic in section["topics"]:
                topic["code"] = prefix + topic["code"][3:]
                for item in topic["outcomes"]:
                    item["code"] = prefix + item["code"][3:]
    return doc
