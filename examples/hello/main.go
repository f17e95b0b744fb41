// Command hello is a small HTTP service: the gostage demo.
//
// GET /health answers "ok"; GET /runtime reports what the container gives a Go program
// (user, time zone database, CA bundle), as JSON; GET / greets.
package main

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type runtimeReport struct {
	Version      string `json:"version"`
	UID          int    `json:"uid"`
	GID          int    `json:"gid"`
	NewYork      string `json:"new_york_time_zone"`
	TimeZoneErr  string `json:"time_zone_error,omitempty"`
	CACerts      int    `json:"ca_certificates"`
	CACertsError string `json:"ca_certificates_error,omitempty"`
	TempDirOK    bool   `json:"temp_dir_writable"`
}

func report() runtimeReport {
	r := runtimeReport{Version: version, UID: os.Getuid(), GID: os.Getgid()}
	if loc, err := time.LoadLocation("America/New_York"); err != nil {
		r.TimeZoneErr = err.Error()
	} else {
		r.NewYork = time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC).In(loc).Format("-07:00")
	}
	if pool, err := x509.SystemCertPool(); err != nil {
		r.CACertsError = err.Error()
	} else {
		//lint:ignore SA1019 Subjects lists the system roots on Linux, which is what we count.
		r.CACerts = len(pool.Subjects())
	}
	if f, err := os.CreateTemp("", "probe"); err == nil {
		r.TempDirOK = true
		f.Close()
		os.Remove(f.Name())
	}
	return r
}

func main() {
	addr := ":8080"
	if port := os.Getenv("PORT"); port != "" {
		addr = ":" + port
	}
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/runtime", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(report())
	})
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "hello from gostage (version %s)\n", version)
	})
	log.Printf("hello %s listening on %s", version, addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
