"""The passage demo on the two-school world: only the school asked for gets passages."""

from __future__ import annotations

from parta.passage.demo import passage_demo
from parta.passage.models import PassageEvent
from parta.testing.world import MONDAY, World


def test_the_demo_on_the_two_school_world(world: World) -> None:
    counts = passage_demo(school=world.a.school, today=MONDAY, seed=1)
    assert counts["turnstiles"] == 2
    assert PassageEvent.objects.filter(holder=world.a.student, day=MONDAY).exists()
    assert not PassageEvent.objects.filter(school=world.b.school).exists()
