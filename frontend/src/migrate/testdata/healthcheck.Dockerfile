FROM golang:1.22-alpine AS build
WORKDIR /app
COPY . .
RUN go build -o /bin/api ./cmd/api

FROM alpine:3.20
RUN apk add --no-cache ca-certificates wget
COPY --from=build /bin/api /usr/bin/api
ENV PORT=8080 GIN_MODE=release
EXPOSE ${PORT}
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -qO- http://localhost:${PORT}/healthz || exit 1
CMD ["api"]
