# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY . .
# The versions pinned in constraints.txt, the ones the test suite passed with.
RUN pip install --no-cache-dir -c constraints.txt .
# Hashed, compressed static files for whitenoise (production settings).
RUN PRODUCTION=true SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --create-home concord && mkdir -p /app/media && chown concord /app/media
USER concord
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
