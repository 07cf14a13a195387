# Two stages: build a static binary, then run it in a small image as a
# non-root user. The default corpus is inside the binary (go:embed).
#   docker build -t gonghui-qa .
#   docker run --rm gonghui-qa ask "孩子考上大学，工会有助学金吗？"
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/gonghui-qa . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gonghui-qa /usr/local/bin/gonghui-qa
COPY --from=build --chown=65532:65532 /out/data /data
ENV DATA_DIR=/data
VOLUME ["/data"]
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/gonghui-qa"]
CMD ["help"]
