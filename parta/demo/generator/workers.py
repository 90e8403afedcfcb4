"""Running the city's per-school jobs side by side: in worker processes on PostgreSQL, else one
after another in this process."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from django.db import connection, connections

Task = TypeVar("Task")
Result = TypeVar("Result")


def each_school(job: Callable[[Task], Result], tasks: Sequence[Task], *, jobs: int) -> Iterator[Result]:
    """``job(task)`` for every task, yielded as each is done (in any order with workers).

    With ``jobs`` > 1 on PostgreSQL the tasks run in that many forked processes, each on its own
    connection: the job must be picklable and write in its own transaction. Not inside a
    transaction (a test's): the workers would not see what it wrote.
    """
    if jobs > 1 and len(tasks) > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(jobs, initializer=connections.close_all) as pool:
            yield from pool.imap_unordered(job, tasks)
    else:
        for task in tasks:
            yield job(task)
