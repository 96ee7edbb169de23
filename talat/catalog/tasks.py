"""Background tasks of the catalog: saving a confirmed spreadsheet import."""

from django_tasks import task

from talat.catalog.services import imports


@task()
def run_import_task(job_id: int) -> None:
    imports.run_import(job_id)
