// Command explain_failure runs a command, passes its output through unchanged, and when the
// command fails, prints a hint for each known failure text found in that output:
//
//	GOSTAGE_FAILURE_HINTS='PATTERN<TAB>HINT<NEWLINE>…' explain_failure -- COMMAND [ARGUMENT]...
//
// The hints travel in the environment, not in the arguments, because BuildKit quotes a
// failed step's whole command line in its error message. The variable is removed from the
// command's environment.
//
// gostage runs `go mod download` through it: BuildKit shows a failed step's output but the
// frontend never sees it, so the step itself has to say what the user should pass (a secret,
// an SSH agent) and where in the spec to look. A line gets the hint of the first pattern it
// contains; each hint is printed once. The exit status is the command's.
//
// gostage compiles it once per builder image (standard library only, so it builds in any
// golang image) and mounts the binary into the download step.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

type rule struct {
	pattern string
	hint    string
}

func main() {
	rules, err := parseHints(os.Getenv(hintsVariable))
	if err != nil {
		fmt.Fprintf(os.Stderr, "explain_failure: %v\n", err)
		os.Exit(2)
	}
	if len(os.Args) < 3 || os.Args[1] != "--" {
		fmt.Fprintln(os.Stderr, "usage: explain_failure -- COMMAND [ARGUMENT]...")
		os.Exit(2)
	}
	command := os.Args[2:]
	cmd := exec.Command(command[0], command[1:]...)
	for _, variable := range os.Environ() {
		if !strings.HasPrefix(variable, hintsVariable+"=") {
			cmd.Env = append(cmd.Env, variable)
		}
	}
	cmd.Stdin = os.Stdin
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "explain_failure: %v\n", err)
		os.Exit(2)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "explain_failure: %v\n", err)
		os.Exit(2)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "explain_failure: %v\n", err)
		os.Exit(2)
	}
	var (
		mutex sync.Mutex
		found []string
		group sync.WaitGroup
	)
	scan := func(from io.Reader, to io.Writer) {
		defer group.Done()
		reader := bufio.NewReader(from)
		for {
			line, readErr := reader.ReadString('\n')
			if line != "" {
				to.Write([]byte(line))
				if hint := match(rules, line); hint != "" {
					mutex.Lock()
					found = appendOnce(found, hint)
					mutex.Unlock()
				}
			}
			if readErr != nil {
				return
			}
		}
	}
	group.Add(2)
	go scan(stdout, os.Stdout)
	go scan(stderr, os.Stderr)
	group.Wait()
	err = cmd.Wait()
	if err == nil {
		return
	}
	for _, hint := range found {
		fmt.Fprintf(os.Stderr, "gostage: %s\n", hint)
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() > 0 {
		os.Exit(exitErr.ExitCode())
	}
	fmt.Fprintf(os.Stderr, "explain_failure: %v\n", err)
	os.Exit(1)
}

// hintsVariable holds the rules, one "PATTERN\tHINT" per line.
const hintsVariable = "GOSTAGE_FAILURE_HINTS"

// parseHints reads the rules of hintsVariable's value.
func parseHints(value string) ([]rule, error) {
	var rules []rule
	for _, line := range strings.Split(value, "\n") {
		if line == "" {
			continue
		}
		pattern, hint, ok := strings.Cut(line, "\t")
		if !ok || pattern == "" {
			return nil, fmt.Errorf("%s: line %q is not PATTERN<TAB>HINT", hintsVariable, line)
		}
		rules = append(rules, rule{pattern: pattern, hint: hint})
	}
	return rules, nil
}

// match returns the hint of the first rule whose pattern line contains, or "".
func match(rules []rule, line string) string {
	for _, rule := range rules {
		if strings.Contains(line, rule.pattern) {
			return rule.hint
		}
	}
	return ""
}

func appendOnce(hints []string, hint string) []string {
	for _, known := range hints {
		if known == hint {
			return hints
		}
	}
	return append(hints, hint)
}
