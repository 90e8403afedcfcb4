"""How names are written: the room label decides alone whether a room gets the «каб.» prefix."""

import pytest
from django.utils import translation

from parta.core.names import room_label


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
