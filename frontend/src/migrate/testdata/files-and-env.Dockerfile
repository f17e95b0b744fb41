FROM golang:1.22-bookworm AS build
WORKDIR /src
COPY . .
RUN go build -o /out/server ./cmd/server

FROM gcr.io/distroless/base-debian12
WORKDIR /srv
COPY --from=build /out/server /srv/server
COPY --from=build /src/migrations /srv/migrations
COPY --chmod=0444 config/app.yaml /etc/server/
COPY --chown=1000:1000 static ./static
ENV APP_ENV=production TZ=UTC
LABEL org.opencontainers.image.source="https://github.com/acme/server" maintainer="ops@acme.test"
USER 1000:1000
ENTRYPOINT ["/srv/server"]
CMD ["--listen", ":8080"]
