"""Tasks of the project itself; each app keeps its own in its tasks.py."""

from celery import shared_task


@shared_task(name="clinic.ping")  # type: ignore[untyped-decorator]  # celery ships no types
def ping() -> str:
    """Answer "pong": proof that a worker takes tasks off the broker and runs them."""
    return "pong"
