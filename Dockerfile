# syntax=docker/dockerfile:1
#
# One image for every AcademicHub process: the container runs `academichub <command>`,
# e.g. `academichub gateway`, `academichub matcher`, `academichub topics`.
#
#   docker build -t academichub:0.1.0 .
#   docker run --rm academichub:0.1.0 --help
#
# The base image is pinned by tag here; a release build pins it by digest as well
# (`--build-arg PYTHON_IMAGE=python:3.11.13-slim-bookworm@sha256:<digest>`), so the build
# and runtime stages always use the exact same interpreter the virtualenv was made for.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# --- build: the locked dependencies, then the project, into /opt/venv -------------------
FROM ${PYTHON_IMAGE} AS build
# The uv the Makefile pins; the lockfile is read with --frozen, never re-resolved.
ARG UV_VERSION=0.13.9
ENV UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /src
# Dependencies first, in their own layer: a source change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
COPY README.md ./
COPY cli ./cli
COPY bench ./bench
COPY shared ./shared
COPY services ./services
# --no-editable: the project is installed as a wheel, so the runtime stage needs no sources.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable \
    && /opt/venv/bin/academichub --help > /dev/null

# --- runtime: the interpreter, the virtualenv, a non-root user -----------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="academichub" \
      org.opencontainers.image.description="AcademicHub: ingestor, matcher, briefer and gateway in one image" \
      org.opencontainers.image.source="https://github.com/academichub/academichub"
# uid/gid 10001: above every distribution's system range; the Kubernetes manifests and
# the compose file's volumes rely on this exact number.
# /var/lib/academichub: the embedded store (a volume). /run/academichub: the working
# directory (an emptyDir when the root fs is read-only); nothing writes to it today.
RUN groupadd --system --gid 10001 academichub \
    && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin academichub \
    && mkdir -p /var/lib/academichub /run/academichub \
    && chown 10001:10001 /var/lib/academichub /run/academichub
COPY --from=build --chown=0:0 /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ACADEMICHUB_DATA_DIR=/var/lib/academichub
WORKDIR /run/academichub
USER 10001:10001
# gateway 8000, matcher web 6066, ingestor metrics 9101, briefer metrics 9102.
EXPOSE 8000 6066 9101 9102
ENTRYPOINT ["academichub"]
CMD ["--help"]
