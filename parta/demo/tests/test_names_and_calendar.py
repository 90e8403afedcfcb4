import datetime as dt
import random

from parta.demo import names
from parta.demo.generator import calendar


def test_family_members_share_the_surname_in_its_gendered_form():
    rng = random.Random(3)
    for _ in range(200):
        family = names.family(rng)
        son, daughter = family.child(rng, "m"), family.child(rng, "f")
        mother, father = family.mother_person(rng), family.father_person(rng)
        assert son.last_name == father.last_name == family.surname_m
        assert daughter.last_name == mother.last_name == family.surname_f
        # Children's patronymics come from the father's first name.
        assert son.middle_name.endswith("ич") and daughter.middle_name.endswith("на")
        assert father.first_name == family.father[0]
        assert (son.middle_name, daughter.middle_name) == family.father[1:]
        assert family.surname_f in {family.surname_m, family.surname_m + "а", family.surname_m[:-2] + "ая"}


def test_names_are_deterministic_for_a_seed():
    def draw(seed):
        rng = random.Random(seed)
        return [names.person(rng) for _ in range(20)]

    assert draw(1) == draw(1)
    assert draw(1) != draw(2)


def test_year_start_follows_the_school_year():
    assert calendar.year_start(dt.date(2026, 11, 23)) == 2026
    assert calendar.year_start(dt.date(2027, 5, 31)) == 2026
    assert calendar.year_start(dt.date(2027, 8, 20)) == 2027


def test_holidays_of_2026_27_are_moscow_like():
    got = {name: (a, b) for name, a, b in calendar.holidays(2026)}
    assert got["Осенние каникулы"] == (dt.date(2026, 10, 24), dt.date(2026, 11, 1))
    assert got["День народного единства"] == (dt.date(2026, 11, 4), dt.date(2026, 11, 4))
    assert got["Зимние каникулы"] == (dt.date(2026, 12, 26), dt.date(2027, 1, 10))
    assert got["День защитника Отечества"] == (dt.date(2027, 2, 23), dt.date(2027, 2, 23))
    assert got["Международный женский день"] == (dt.date(2027, 3, 8), dt.date(2027, 3, 8))
    assert got["Весенние каникулы"] == (dt.date(2027, 3, 20), dt.date(2027, 3, 28))
    # May 1 and May 9 2027 fall on a weekend: the day off moves to Monday.
    assert got["Праздник Весны и Труда (перенос выходного дня)"] == (dt.date(2027, 5, 3), dt.date(2027, 5, 3))
    assert got["День Победы (перенос выходного дня)"] == (dt.date(2027, 5, 10), dt.date(2027, 5, 10))


def test_quarters_fill_the_year_between_the_holidays():
    assert calendar.quarters(2026) == [
        (dt.date(2026, 9, 1), dt.date(2026, 10, 23)),
        (dt.date(2026, 11, 2), dt.date(2026, 12, 25)),
        (dt.date(2027, 1, 11), dt.date(2027, 3, 19)),
        (dt.date(2027, 3, 29), dt.date(2027, 5, 31)),
    ]
    for start in range(2024, 2035):
        quarters = calendar.quarters(start)
        assert len(quarters) == 4 and all(a < b for a, b in quarters)


def test_bells_are_45_minutes_with_10_and_20_minute_breaks():
    moments = [
        (dt.datetime.combine(dt.date(2026, 9, 1), a), dt.datetime.combine(dt.date(2026, 9, 1), b))
        for _n, a, b in calendar.BELLS
    ]
    assert moments[0][0].time() == dt.time(8, 30)
    assert all(b - a == dt.timedelta(minutes=45) for a, b in moments)
    breaks = {(moments[i + 1][0] - moments[i][1]).seconds // 60 for i in range(len(moments) - 1)}
    assert breaks == {10, 20}
