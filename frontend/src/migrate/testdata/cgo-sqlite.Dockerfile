FROM golang:1.22-alpine AS builder
RUN apk add --no-cache gcc musl-dev sqlite-dev sqlite-static
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=1
RUN go build -tags "sqlite_omit_load_extension netgo" \
    -ldflags '-s -w -linkmode external -extldflags "-static"' \
    -o /usr/local/bin/notes .

FROM alpine:3.19
RUN apk add --no-cache sqlite-libs ca-certificates
COPY --from=builder /usr/local/bin/notes /usr/local/bin/notes
VOLUME /data
ENV NOTES_DB=/data/notes.db
EXPOSE 8080
ENTRYPOINT ["notes"]
