# Production image: gunicorn (web), celery worker and celery beat all run from it (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_MEDIA_ROOT=/data/media

# WeasyPrint renders the PDFs with Pango/HarfBuzz; DejaVu is the fallback font (the reports bundle their own).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. pyproject.toml lists no packages to
# install (the apps run from /app), so this layer needs only pyproject.toml.
COPY pyproject.toml ./
RUN pip install .

COPY . .

RUN useradd --system --create-home --home-dir /home/caseweight caseweight \
    && mkdir -p /app/staticfiles /data/media \
    && chown -R caseweight:caseweight /app/staticfiles /data/media
USER caseweight

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
