# Refinery: a slim image that runs as a non-root user. The default command is the offline demo:
#   docker build -t refinery . && docker run --rm refinery
# Serve (Slack, webhooks, /healthz, the schedule) with: docker run ... refinery serve
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY connectors ./connectors
COPY rules ./rules
RUN pip install --no-cache-dir --prefix=/install '.[postgres]'

FROM python:3.12-slim
COPY --from=build /install /usr/local
RUN useradd --create-home --uid 10001 --user-group refinery \
    && mkdir /data && chown refinery:refinery /data
USER refinery
WORKDIR /data
# Inside a container the server must listen beyond loopback; the store defaults to /data.
ENV PYTHONUNBUFFERED=1 \
    REFINERY_SERVER__HOST=0.0.0.0 \
    REFINERY_STORE__URL=sqlite:////data/refinery.db
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]
ENTRYPOINT ["refinery"]
CMD ["demo"]
