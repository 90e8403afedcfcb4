from celery import shared_task

from parta.timetable.services.publishing import publication_execute


@shared_task(name="timetable.publish", ignore_result=True)
def publication_task(publication_id: int) -> None:
    publication_execute(publication_id)
