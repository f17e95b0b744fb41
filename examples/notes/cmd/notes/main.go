// Command notes keeps short notes in an SQLite database through github.com/mattn/go-sqlite3,
// which links SQLite's C code: the cgo example (`build.cgo: true`).
//
// POST /notes stores the request body as a note and answers its id; GET /notes answers every
// note, one per line, as "id: text"; GET /health answers "ok" and SQLite's version.
// `notes check` stores and reads back one note without serving, for a quick test of the
// binary (for example under qemu-user).
//
// The database is NOTES_DB, by default /tmp/notes.db.
package main

import (
	"database/sql"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"

	_ "github.com/mattn/go-sqlite3"
)

func open() (*sql.DB, error) {
	path := os.Getenv("NOTES_DB")
	if path == "" {
		path = "/tmp/notes.db"
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		return nil, err
	}
	_, err = db.Exec("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
	return db, err
}

func add(db *sql.DB, text string) (int64, error) {
	result, err := db.Exec("INSERT INTO notes (text) VALUES (?)", text)
	if err != nil {
		return 0, err
	}
	return result.LastInsertId()
}

func list(db *sql.DB) ([]string, error) {
	rows, err := db.Query("SELECT id, text FROM notes ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var notes []string
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, err
		}
		notes = append(notes, fmt.Sprintf("%d: %s", id, text))
	}
	return notes, rows.Err()
}

func sqliteVersion(db *sql.DB) string {
	var version string
	if err := db.QueryRow("SELECT sqlite_version()").Scan(&version); err != nil {
		return "unknown"
	}
	return version
}

func main() {
	db, err := open()
	if err != nil {
		log.Fatalf("notes: opening the database: %v", err)
	}
	if len(os.Args) > 1 && os.Args[1] == "check" {
		id, err := add(db, "checked")
		if err != nil {
			log.Fatalf("notes: %v", err)
		}
		notes, err := list(db)
		if err != nil {
			log.Fatalf("notes: %v", err)
		}
		fmt.Printf("sqlite %s: note %d stored; %s\n", sqliteVersion(db), id, notes[len(notes)-1])
		return
	}
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "ok sqlite %s\n", sqliteVersion(db))
	})
	http.HandleFunc("/notes", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			body, err := io.ReadAll(io.LimitReader(r.Body, 4096))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			id, err := add(db, strings.TrimSpace(string(body)))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			fmt.Fprintln(w, id)
		case http.MethodGet:
			notes, err := list(db)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			for _, note := range notes {
				fmt.Fprintln(w, note)
			}
		default:
			http.Error(w, "GET or POST", http.StatusMethodNotAllowed)
		}
	})
	addr := ":8080"
	if port := os.Getenv("PORT"); port != "" {
		addr = ":" + port
	}
	log.Printf("notes listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
