"""Celery tasks of schools: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task
from django.utils import translation

from parta.schools.services.accounts import sign_in_invitations_deliver


@shared_task(name="schools.send_sign_in_invitations", ignore_result=True)
def send_sign_in_invitations_task(school_id: int, user_ids: list[int], language: str) -> int:
    with translation.override(language):
        return sign_in_invitations_deliver(school_id=school_id, user_ids=user_ids)
