"""What a student is shown of a question, and what training mode shows after an answer."""

from __future__ import annotations

import random
from typing import Any

from parta.assessment.expressions import format_number
from parta.assessment.questions.params import fill, numeric_answer, values_for


def shown(question: dict[str, Any], seed: int) -> dict[str, Any]:
    """What the student sees: id, type, text (params substituted), image, points, options/items/
    left+right/gaps (shuffled when `shuffle`, the matching right side and ordering items always
    shuffled), no correct answers, no explanation, no accepted variants, no tolerance."""
    values = values_for(question, seed)
    rng = random.Random(f"{seed}:{question['id']}:shuffle")

    def listed(items: list[dict[str, str]], *, shuffle: bool) -> list[dict[str, str]]:
        entries = [{"id": item["id"], "text": fill(item["text"], values)} for item in items]
        if shuffle:
            rng.shuffle(entries)
        return entries

    kind = question["type"]
    view: dict[str, Any] = {
        "id": question["id"],
        "type": kind,
        "text": fill(question["text"], values),
        "image": question["image"],
        "points": question["points"],
    }
    if kind in ("single", "multiple"):
        view["options"] = listed(question["options"], shuffle=question["shuffle"])
    elif kind == "matching":
        view["left"] = listed(question["left"], shuffle=question["shuffle"])
        view["right"] = listed(question["right"], shuffle=True)
    elif kind == "ordering":
        items = listed(question["items"], shuffle=True)
        if [item["id"] for item in items] == [item["id"] for item in question["items"]]:
            items = items[1:] + items[:1]  # shown in the right order, it would score full marks untouched
        view["items"] = items
    elif kind == "blanks":
        view["gaps"] = {
            number: {"kind": "choice", "options": listed(gap["options"], shuffle=question["shuffle"])}
            if "options" in gap
            else {"kind": "text"}
            for number, gap in sorted(question["gaps"].items(), key=lambda pair: int(pair[0]))
        }
    elif kind == "open":
        view["allow_files"] = question["allow_files"]
    return view


def feedback(question: dict[str, Any], seed: int) -> dict[str, Any]:
    """What training mode shows after an answer: the correct answer, in the shape of a response
    (None for an open question), and the explanation, both with the attempt's params applied."""
    values = values_for(question, seed)
    kind = question["type"]
    answer: dict[str, Any] | None
    if kind == "single":
        answer = {"option": question["correct"]}
    elif kind == "multiple":
        answer = {"options": list(question["correct"])}
    elif kind == "true_false":
        answer = {"value": question["correct"]}
    elif kind == "short_text":
        answer = {"text": question["variants"][0]}
    elif kind == "numeric":
        answer = {"value": format_number(numeric_answer(question, values))}
    elif kind == "matching":
        answer = {"pairs": dict(question["pairs"])}
    elif kind == "ordering":
        answer = {"order": [item["id"] for item in question["items"]]}
    elif kind == "blanks":
        answer = {
            "gaps": {
                number: gap["correct"] if "options" in gap else gap["variants"][0]
                for number, gap in sorted(question["gaps"].items(), key=lambda pair: int(pair[0]))
            }
        }
    else:
        answer = None
    return {"answer": answer, "explanation": fill(question["explanation"], values)}
