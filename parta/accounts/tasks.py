"""Celery tasks of accounts: thin wrappers over services.py."""

from __future__ import annotations

from celery import shared_task

from parta.accounts import services


@shared_task(name="accounts.purge_machine_calls", ignore_result=True)
def purge_machine_calls_task() -> int:
    """The beat's hourly purge of machine calls older than PARTA_MACHINE_CALL_DAYS."""
    return services.machine_calls_purge()
