# The vum application image: one image for web (gunicorn), worker and beat (Celery), and the
# one-shot migrate service; docker-compose.yml chooses the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=vum.settings.prod

# Pango and DejaVu for rendering letters to PDF (WeasyPrint); nothing else is needed at run time:
# psycopg ships its own libpq in the binary wheel.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv

WORKDIR /app

# Dependencies first, in their own layer, so a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Static files are collected into the image, where whitenoise serves them from; every container
# of the image then serves the same hashed files. The values here exist only for this command.
RUN SECRET_KEY=collectstatic-at-build-time-only ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/collectstatic.sqlite3

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin vum
USER vum

EXPOSE 8000
# gunicorn takes its number of worker processes from WEB_CONCURRENCY.
CMD ["gunicorn", "vum.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
