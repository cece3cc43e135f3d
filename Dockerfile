# One image for every service: `academichub <service>` selects what the container runs.
FROM python:3.11.11-slim-bookworm AS build
ENV UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY shared ./shared
COPY services ./services
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11.11-slim-bookworm
RUN useradd --create-home --uid 10001 academichub
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH ACADEMICHUB_DATA_DIR=/var/lib/academichub
RUN mkdir -p /var/lib/academichub && chown academichub /var/lib/academichub
USER 10001
ENTRYPOINT ["academichub"]
CMD ["gateway"]
