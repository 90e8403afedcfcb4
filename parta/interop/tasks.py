from celery import shared_task

from parta.interop.services.runs import import_run_execute


@shared_task(name="interop.import_run", ignore_result=True)
def import_run_task(run_id: int) -> None:
    import_run_execute(run_id)
