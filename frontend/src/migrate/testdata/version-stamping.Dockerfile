FROM golang:1.23 AS build
ARG VERSION=dev
ARG GIT_COMMIT=unknown
ARG BUILD_DATE
WORKDIR /src
COPY go.* ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build \
    -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${GIT_COMMIT} -X main.date=${BUILD_DATE}" \
    -o /out/shop ./cmd/shop

FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="shop" \
      org.opencontainers.image.version=$VERSION
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/shop /shop
ENTRYPOINT ["/shop"]
