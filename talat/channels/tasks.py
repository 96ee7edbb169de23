"""Background tasks of channels: each runs one attempt of a partner call (see services.run_job)."""

from django_tasks import task

from talat.channels import services


@task()
def run_channel_job(job_id: int) -> None:
    services.run_job(job_id)
