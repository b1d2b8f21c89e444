# One image for web (gunicorn, the default command), the Celery worker and Celery beat.
# docker-compose.yml says which runs where and gives each its environment.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

WORKDIR /app

# Runtime dependencies only, pinned; requirements-dev.lock (tests, lint) stays out of the image.
# WeasyPrint renders referral letters as PDF: Pango, HarfBuzz's subsetter and a font. gettext's
# msgfmt compiles the translation catalogues (below).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock ./
RUN pip install --no-deps -r requirements.lock && pip check

COPY . .

# Static files are collected into the image (whitenoise serves them), and the translation
# catalogues (locale/*/LC_MESSAGES/django.po) compiled to the .mo files Django reads. Settings refuse to load
# without a SECRET_KEY when DEBUG is off, so this step alone gets a throwaway one; the URLs only
# satisfy the settings, nothing is connected to.
RUN SECRET_KEY=collectstatic-build-only-not-a-secret \
    DEBUG=false \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    REDIS_URL=redis://build.invalid:6379/0 \
    python manage.py collectstatic --noinput \
    && python manage.py compilemessages --ignore=var \
    && rm -f /tmp/collectstatic.sqlite3

# The code stays root's and read-only to the app; only var/ (beat's schedule) is writable.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home clinic \
    && mkdir -p /app/var/celery \
    && chown -R clinic:clinic /app/var
USER clinic

EXPOSE 8000
# No control socket: nothing in a container manages gunicorn at run time but its signals. The
# logger class redacts patient links and query strings from gunicorn's logs (access log included,
# when --access-logfile is given, e.g. in GUNICORN_CMD_ARGS).
CMD ["gunicorn", "clinic.wsgi:application", "--bind=0.0.0.0:8000", "--no-control-socket", \
     "--logger-class=clinic.gunicorn_logging.RedactingLogger"]
