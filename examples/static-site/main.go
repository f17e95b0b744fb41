// Command static-site serves a page embedded with go:embed and reads files that gostage
// copies into the image with `files:`.
//
// GET / serves static/index.html (embedded); GET /health answers "ok"; GET /runtime reports,
// as JSON, who the program runs as, where, with which environment, and what it reads from
// the copied files.
package main

import (
	"embed"
	"encoding/json"
	"io/fs"
	"log"
	"net/http"
	"os"
)

//go:embed static
var static embed.FS

// configFile and templatesDir are where gostage.yaml's `files:` put the copies.
const (
	configFile   = "/etc/static-site/site.json"
	templatesDir = "/srv/templates"
)

type runtimeReport struct {
	UID         int      `json:"uid"`
	GID         int      `json:"gid"`
	WorkingDir  string   `json:"working_dir"`
	Path        string   `json:"path"`
	SSLCertFile string   `json:"ssl_cert_file"`
	Config      string   `json:"config"`
	ConfigError string   `json:"config_error,omitempty"`
	Templates   []string `json:"templates"`
}

func report() runtimeReport {
	r := runtimeReport{
		UID:         os.Getuid(),
		GID:         os.Getgid(),
		Path:        os.Getenv("PATH"),
		SSLCertFile: os.Getenv("SSL_CERT_FILE"),
		Templates:   []string{},
	}
	r.WorkingDir, _ = os.Getwd()
	if data, err := os.ReadFile(configFile); err != nil {
		r.ConfigError = err.Error()
	} else {
		r.Config = string(data)
	}
	if entries, err := os.ReadDir(templatesDir); err == nil {
		for _, entry := range entries {
			if data, err := os.ReadFile(templatesDir + "/" + entry.Name()); err == nil {
				r.Templates = append(r.Templates, entry.Name()+": "+string(data))
			}
		}
	}
	return r
}

func main() {
	site, err := fs.Sub(static, "static")
	if err != nil {
		log.Fatal(err)
	}
	addr := ":8080"
	if port := os.Getenv("PORT"); port != "" {
		addr = ":" + port
	}
	http.Handle("/", http.FileServer(http.FS(site)))
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	http.HandleFunc("/runtime", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(report())
	})
	log.Printf("static-site listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
