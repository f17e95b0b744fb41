// Command uuid-service hands out random UUIDs over HTTP, using a third-party module
// (github.com/google/uuid) that the build fetches through GOPROXY.
//
// GET /health answers "ok"; GET /uuid answers a new version 4 UUID.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/google/uuid"
)

func main() {
	addr := ":8080"
	if port := os.Getenv("PORT"); port != "" {
		addr = ":" + port
	}
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/uuid", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, uuid.NewString())
	})
	log.Printf("uuid-service listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
