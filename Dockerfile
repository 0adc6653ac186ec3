# The hub's image: every signalhub process runs from it (`docker compose` picks the subcommand).
#   docker build -t signalhub .
#   docker run --rm signalhub --help
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a code change does not reinstall them: a stub of each package is enough
# for pip to resolve pyproject's dependencies.
COPY pyproject.toml README.md ./
RUN mkdir -p schemas signalhub producers consumers services signalhub_cli \
    && for p in schemas signalhub producers consumers services signalhub_cli; do touch "$p/__init__.py"; done \
    && pip install . \
    && pip uninstall -y signalhub

COPY schemas ./schemas
COPY signalhub ./signalhub
COPY producers ./producers
COPY consumers ./consumers
COPY services ./services
COPY signalhub_cli ./signalhub_cli
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /var/lib/signalhub --create-home signalhub \
    && install -d -o signalhub -g signalhub /var/lib/signalhub/keys

# Installed as a package, the code has no repository around it: settings that default to files
# under the repository (database, gateway keys) are set by environment in docker-compose.yml.
WORKDIR /var/lib/signalhub
USER signalhub
ENTRYPOINT ["signalhub"]
CMD ["--help"]
