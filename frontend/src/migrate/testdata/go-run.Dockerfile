FROM golang:1.22
WORKDIR /usr/src/app
COPY . .
EXPOSE 8080
CMD go run ./cmd/server
