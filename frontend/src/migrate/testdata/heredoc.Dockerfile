# syntax=docker/dockerfile:1.7
FROM golang:1.24-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build <<EOF
set -eux
go mod download
CGO_ENABLED=0 go build -o /out/app ./cmd/app
EOF

FROM scratch
COPY --from=build /out/app /app
COPY <<EOF /etc/app/config.yaml
listen: :8080
EOF
ENTRYPOINT ["/app", "-config", "/etc/app/config.yaml"]
