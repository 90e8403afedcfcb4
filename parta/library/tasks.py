from celery import shared_task

from parta.library.services.imports import import_run_execute


@shared_task(name="library.import_run", ignore_result=True)
def import_run_task(run_id: int) -> None:
    import_run_execute(run_id)
