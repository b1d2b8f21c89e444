import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

application = get_wsgi_application()

# Each view imported and each template compiled before the first request (clinic/warmup.py). A
# template that cannot compile fails its own page as it would have; the others still serve.
try:
    from clinic.warmup import freeze_heap, warm

    warm()
    freeze_heap()  # what the worker built to start is never walked by the collector again
except Exception:  # the warm-up is an optimisation, never a reason not to serve
    logging.getLogger("clinic.warmup").exception("warm-up failed; serving without it")
