FROM golang:1.21-bullseye AS builder
ENV GO111MODULE=on \
    CGO_ENABLED=0 \
    GOOS=linux \
    GOARCH=amd64
WORKDIR /build
COPY . .
RUN go build \
    # keep the binary small
    -ldflags="-s -w" \
    -trimpath \
    -tags timetzdata \
    -o main \
    .

FROM scratch
COPY --from=builder /build/main /
EXPOSE 3000
ENTRYPOINT ["/main"]
