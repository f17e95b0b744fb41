// Command explain_failure runs a command, passes its output through unchanged, and when the
// command fails, prints a hint for each known failure text found in that output:
//
//	explain_failure PATTERN HINT [PATTERN HINT]... -- COMMAND [ARGUMENT]...
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
	rules, command, err := parseArguments(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "explain_failure: %v\n", err)
		os.Exit(2)
	}
	cmd := exec.Command(command[0], command[1:]...)
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

// parseArguments splits PATTERN HINT pairs from the command after "--".
func parseArguments(arguments []string) ([]rule, []string, error) {
	var rules []rule
	for index := 0; index < len(arguments); index += 2 {
		if arguments[index] == "--" {
			command := arguments[index+1:]
			if len(command) == 0 {
				return nil, nil, errors.New("no command after --")
			}
			return rules, command, nil
		}
		if index+1 >= len(arguments) {
			return nil, nil, fmt.Errorf("pattern %q has no hint", arguments[index])
		}
		rules = append(rules, rule{pattern: arguments[index], hint: arguments[index+1]})
	}
	return nil, nil, errors.New("usage: explain_failure PATTERN HINT [PATTERN HINT]... -- COMMAND [ARGUMENT]...")
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
