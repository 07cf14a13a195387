# Two stages: build a static binary, then run it in a small image without a
# shell, as the unprivileged user 65532. The default corpus is inside the
# binary (go:embed). See README.md, "Deploying", for docker run, compose,
# volumes and secrets.
#
#   docker build -t gonghui-qa \
#     --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
#   docker run --rm gonghui-qa version
#
# Base images are named in full (Podman and Buildah do not guess
# docker.io) and pinned: Go by its exact release tag, distroless by digest
# (that of :nonroot as published on 2026-08-26; refresh with
# `crane digest gcr.io/distroless/static-debian12:nonroot`). Either can be
# replaced with --build-arg GO_IMAGE=… / RUNTIME_IMAGE=….
ARG GO_IMAGE=docker.io/library/golang:1.26.8-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab

FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
ARG COMMIT=unknown
ARG BUILD_DATE=unknown
# The same command as "Building a release binary" in README.md.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.buildDate=${BUILD_DATE}" \
      -o /out/gonghui-qa . \
 && /out/gonghui-qa version \
 && mkdir -p /out/data/corpus

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/gonghui-qa /usr/local/bin/gonghui-qa
COPY --from=build --chown=65532:65532 /out/data /data
# /metrics and /healthz on all of the container's interfaces, so that the
# port can be published (publish it on the host's loopback: README.md); the
# HEALTHCHECK below probes it on the container's own loopback.
ENV DATA_DIR=/data METRICS_ADDR=:9090
VOLUME ["/data"]
USER 65532:65532
# 8080: the webhook listener (LISTEN_ADDR), behind an HTTPS reverse proxy;
# 9090: /metrics and /healthz (METRICS_ADDR).
EXPOSE 8080 9090
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 \
  CMD ["/usr/local/bin/gonghui-qa", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/gonghui-qa"]
CMD ["serve"]
