package main

import (
	"io"
	"os"
	"testing"
)

// TestPrintsTheSharedLibrarysText runs main with its standard output captured.
func TestPrintsTheSharedLibrarysText(t *testing.T) {
	reader, writer, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = writer
	main()
	os.Stdout = stdout
	writer.Close()
	printed, err := io.ReadAll(reader)
	if err != nil {
		t.Fatal(err)
	}
	if want := "svc-a: hello from the shared library\n"; string(printed) != want {
		t.Errorf("main printed %q, want %q", printed, want)
	}
}
