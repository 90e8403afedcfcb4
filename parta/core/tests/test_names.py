"""How names are written: the room label decides alone whether a room gets the «каб.» prefix, and
a short name in another case declines its surname."""

import pytest
from django.utils import translation
from pytrovich.enums import Case

from parta.core.names import room_label, short_name


@pytest.mark.parametrize("name", ["101", "204а", "12Б", "3-12", "2.14", "12-б", "7A"])
def test_a_numbered_room_gets_the_prefix(name):
    assert room_label(name) == f"room {name}"
    with translation.override("ru"):
        assert room_label(name) == f"каб. {name}"


@pytest.mark.parametrize(
    "name", ["Спортивный зал 1", "Компьютерный класс 1", "Актовый зал", "1 этаж, холл", "2024 hall", "101abc"]
)
def test_a_named_room_is_shown_as_it_is(name):
    assert room_label(name) == name
    with translation.override("ru"):
        assert room_label(name) == name


@pytest.mark.parametrize("name", [None, ""])
def test_no_room_has_no_label(name):
    assert room_label(name) is None


@pytest.mark.parametrize(
    ("parts", "case", "written"),
    [
        (("Ермакова", "Ксения", "Викторовна"), Case.GENITIVE, "Ермаковой К. В."),
        (("Петров", "Иван", "Сергеевич"), Case.GENITIVE, "Петрова И. С."),
        (("Петров", "Иван", ""), Case.DATIVE, "Петрову И."),  # the first name tells a man
        (("Шевчук", "Олег", "Петрович"), Case.GENITIVE, "Шевчука О. П."),
        (("Шевчук", "Ольга", "Петровна"), Case.GENITIVE, "Шевчук О. П."),  # a woman's does not decline
        (("Ким", "Ли", ""), Case.GENITIVE, "Ким Л."),  # no gender to be told: as it is
        (("Smith", "John", ""), Case.GENITIVE, "Smith J."),  # no rule: as it is
        (("Ермакова", "Ксения", "Викторовна"), Case.NOMINATIVE, "Ермакова К. В."),
        (("", "Ксения", ""), Case.GENITIVE, "К."),
    ],
)
def test_a_short_name_is_declined_by_its_surname(
    parts: tuple[str, str, str], case: Case, written: str
) -> None:
    assert short_name(*parts, case=case) == written
