// Command test_report runs `go test -json` for gostage's test target and writes two reports
// into REPORT_DIR: test-report.json, the event stream exactly as `go test -json` prints it
// (one cmd/test2json event per line: what gotestsum, go-junit-report and CI test views
// read), and test-report.txt, the same run as text (what `go test -v` prints).
//
// Usage: go run test_report.go REPORT_DIR PACKAGE_DIR [go test arguments...]
//
// The step log gets what `go test` without -v prints: each package's result and the output
// of failing tests only, so a failure is not buried in passing tests' output. When tests
// fail, it ends with their names in at most eight lines: BuildKit's plain progress shows
// only the last ten lines of a failed step (logsBufferSize in
// util/progress/progressui/printer.go), and `go run` adds one ("exit status 1").
//
// gostage runs this program with GOFLAGS empty (the client's GOFLAGS are for the module, not
// for compiling this file) and the client's value in GOSTAGE_TEST_GOFLAGS, which it passes
// on to `go test` as GOFLAGS.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// event is the part of a cmd/test2json TestEvent this program reads.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// maxSummaryLines bounds the failure summary, header included.
const maxSummaryLines = 8

// goflagsVariable carries the client's GOFLAGS to `go test`.
const goflagsVariable = "GOSTAGE_TEST_GOFLAGS"

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: test_report REPORT_DIR PACKAGE_DIR [go test arguments...]")
		os.Exit(2)
	}
	code, err := run(os.Args[1], os.Args[2], os.Args[3:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gostage test report:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

// lockedWriter serialises writes from the stderr copier and the event loop.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func run(reportDir, packageDir string, args []string) (int, error) {
	jsonFile, err := os.Create(filepath.Join(reportDir, "test-report.json"))
	if err != nil {
		return 0, err
	}
	defer jsonFile.Close()
	textFile, err := os.Create(filepath.Join(reportDir, "test-report.txt"))
	if err != nil {
		return 0, err
	}
	defer textFile.Close()
	jsonReport := bufio.NewWriter(jsonFile)
	text := &lockedWriter{w: bufio.NewWriter(textFile)}

	command := exec.Command("go", append([]string{"test", "-json"}, args...)...)
	command.Dir = packageDir
	command.Env = environment()
	command.Stderr = io.MultiWriter(os.Stderr, text)
	stdout, err := command.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := command.Start(); err != nil {
		return 0, err
	}

	pending := map[string][]string{}
	var failed []string
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 64*1024), 64*1024*1024)
	for lines.Scan() {
		line := lines.Bytes()
		jsonReport.Write(line)
		jsonReport.WriteByte('\n')
		var e event
		if json.Unmarshal(line, &e) != nil || e.Action == "" {
			// Not an event (older Go prints some build errors as plain text).
			fmt.Fprintf(text, "%s\n", line)
			fmt.Printf("%s\n", line)
			continue
		}
		text.Write([]byte(e.Output))
		key := e.Package + "\x00" + e.Test
		switch {
		case e.Test == "":
			// Package results and build output.
			fmt.Print(e.Output)
		case e.Action == "output":
			pending[key] = append(pending[key], e.Output)
		case e.Action == "fail":
			fmt.Print(strings.Join(pending[key], ""))
			delete(pending, key)
			failed = append(failed, fmt.Sprintf("--- FAIL: %s (%s)", e.Test, e.Package))
		case e.Action == "pass" || e.Action == "skip":
			delete(pending, key)
		}
	}
	scanErr := lines.Err()
	waitErr := command.Wait()
	if err := jsonReport.Flush(); err != nil {
		return 0, err
	}
	if err := text.w.(*bufio.Writer).Flush(); err != nil {
		return 0, err
	}
	if scanErr != nil {
		return 0, scanErr
	}
	if waitErr == nil {
		return 0, nil
	}
	if _, ok := waitErr.(*exec.ExitError); !ok {
		return 0, waitErr
	}
	summarize(failed)
	return 1, nil
}

// summarize prints the names of the failing tests last, within maxSummaryLines.
func summarize(failed []string) {
	if len(failed) == 0 {
		fmt.Println("FAIL: go test failed (see its output above)")
		return
	}
	fmt.Printf("FAIL: %d failing test(s):\n", len(failed))
	shown := failed
	if len(shown) > maxSummaryLines-1 {
		shown = failed[:maxSummaryLines-2]
	}
	for _, name := range shown {
		fmt.Println(name)
	}
	if hidden := len(failed) - len(shown); hidden > 0 {
		fmt.Printf("... and %d more (above)\n", hidden)
	}
}

// environment is this process's, with GOFLAGS set back to the client's value.
func environment() []string {
	goflags := os.Getenv(goflagsVariable)
	var env []string
	for _, entry := range os.Environ() {
		if strings.HasPrefix(entry, "GOFLAGS=") || strings.HasPrefix(entry, goflagsVariable+"=") {
			continue
		}
		env = append(env, entry)
	}
	return append(env, "GOFLAGS="+goflags)
}
