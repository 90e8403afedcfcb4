"""City registry numbers (SNILS): how they are read, and how the registry's file loads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parta.clinic import identifiers
from parta.clinic.models import PersonIdentifier
from parta.testing import factories as f


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("112-233-445 95", "11223344595"),
        ("11223344595", "11223344595"),
        (" 112 233 445 95 ", "11223344595"),
        ("112-233-445 96", None),  # a mistyped check number
        ("112-233-454 95", None),  # two digits swapped
        ("112-233-445", None),
        ("1122334459５", None),  # a digit that is not ASCII
        ("001-001-998 00", "00100199800"),  # given before check numbers were
    ],
)
def test_a_number_is_read_with_its_check_number(written: str, number: str | None) -> None:
    assert identifiers.normalize(written) == number


def test_check_numbers_of_the_edge_sums() -> None:
    assert identifiers.check_number("112233445") == "95"
    assert identifiers.with_check_number(112233445) == "11223344595"
    assert identifiers.written("11223344595") == "112-233-445 95"
    # The weighted sum below 100 is the check number; 100 and 101 are 00; above, the rest after 101.
    assert identifiers.check_number("000000911") == "30"  # 9·3 + 1·2 + 1·1
    assert identifiers.check_number("900000091") == "00"  # 100
    assert identifiers.check_number("900000092") == "00"  # 101
    assert identifiers.check_number("900000093") == "01"  # 102
    assert identifiers.check_number("999999999") == "01"  # 405 = 4·101 + 1


@pytest.mark.django_db
def test_the_registrys_file_loads_all_or_nothing(tmp_path: Path) -> None:
    first, second = f.UserFactory.create(username="s-1"), f.UserFactory.create(username="s-2")
    good = tmp_path / "numbers.csv"
    good.write_text("username,number\ns-1,112-233-445 95\ns-2,22334455639\n", encoding="utf-8")
    call_command("clinic_numbers_load", str(good))
    assert dict(PersonIdentifier.objects.values_list("person__username", "number")) == {
        "s-1": "11223344595",
        "s-2": "22334455639",
    }
    # The two swap their numbers: a load replaces them together.
    swap = tmp_path / "swap.csv"
    swap.write_text("username,number\ns-1,22334455639\ns-2,11223344595\n", encoding="utf-8")
    call_command("clinic_numbers_load", str(swap))
    assert PersonIdentifier.objects.get(person=first).number == "22334455639"
    assert PersonIdentifier.objects.get(person=second).number == "11223344595"
    for text, message in (
        ("username,number\ns-1,112-233-445 96\n", "not a well-formed number"),
        ("username,number\ns-1,11223344595\ns-2,112-233-445 95\n", "given to two people"),
        ("username,number\nnobody,11223344595\n", "Nobody has these usernames: nobody"),
        ("login,snils\ns-1,11223344595\n", "columns username and number"),
    ):
        bad = tmp_path / "bad.csv"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(CommandError, match=message):
            call_command("clinic_numbers_load", str(bad))
    assert PersonIdentifier.objects.get(person=first).number == "22334455639"
    third = f.UserFactory.create(username="s-3")
    taken = tmp_path / "taken.csv"
    taken.write_text("username,number\ns-3,22334455639\n", encoding="utf-8")
    with pytest.raises(CommandError, match="another person's number"):
        call_command("clinic_numbers_load", str(taken))
    assert not PersonIdentifier.objects.filter(person=third).exists()
