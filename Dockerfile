# Wegweiser Sachsen API. Data lives in /data (mount a volume), or point
# WEGWEISER_DATABASE_URL at PostgreSQL: postgresql+psycopg://user:pass@host/db
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    WEGWEISER_DATABASE_URL=sqlite:////data/wegweiser.sqlite3

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

COPY alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed

RUN useradd --system --uid 10001 wegweiser && mkdir /data && chown wegweiser /data
USER wegweiser
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/', timeout=4)"]

# Migrate, seed an empty database, then serve.
CMD ["sh", "-c", "alembic upgrade head && python -m seed --if-empty && exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --proxy-headers"]
