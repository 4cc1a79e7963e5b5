# syntax=docker/dockerfile:1
# The public site's assets (GOV.UK Frontend, compiled), built from package-lock.json's
# releases by the same script as at a developer's desk; the image keeps only what it built.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
COPY scripts/build_assets scripts/
COPY handlers/web/assets/ handlers/web/assets/
RUN scripts/build_assets

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# As root, system-wide: first the releases requirements.lock pins (their files' hashes
# checked; a layer of its own, so a change to the code alone does not install them again),
# then the package and its console script `engagebot`; pip check fails the build if the lock
# lacks a dependency pyproject.toml names (scripts/lock writes it again).
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY handlers/ handlers/
COPY --from=assets /build/handlers/web/static/ handlers/web/static/
COPY storage/ storage/
RUN pip install --no-cache-dir --no-deps . && pip check

# Unprivileged runtime user; /data holds the SQLite database by default.
RUN groupadd --system engagebot \
    && useradd --system --gid engagebot --home-dir /app --shell /usr/sbin/nologin engagebot \
    && mkdir -p /data \
    && chown engagebot:engagebot /data
VOLUME ["/data"]

ENV DATABASE_URL=sqlite:////data/engagebot.sqlite \
    PORT=3000

USER engagebot

EXPOSE 3000

# No curl in slim images: use Python's urllib. Non-200 (or no answer) marks the container unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4); sys.exit(0 if r.status == 200 else 1)"]

# One process on the default SQLite file; on PostgreSQL (DATABASE_URL) one a core, which
# inside a container is the host's: set ENGAGEBOT_WORKERS to the CPUs the container gets.
# A stop (SIGTERM) finishes the requests in flight within 25 s: give it 30 (`docker stop
# -t 30`, or docker-compose.yml's stop_grace_period). docs/operator/processes.md says how many.
CMD ["engagebot", "serve"]
