// Command runtime_files writes the files a static Go program needs at run time into the
// directory named by its argument, so that the final image can copy them from one place:
//
//	usr/share/zoneinfo/...          unpacked from $GOROOT/lib/time/zoneinfo.zip
//	etc/ssl/certs/ca-certificates.crt  the builder image's CA bundle
//	tmp/                            mode 1777 (LLB mkdir cannot set the sticky bit)
//
// gostage runs it in the builder stage with `go run`; it uses only the standard library so
// it works in any golang image.
package main

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fail("usage: runtime_files OUTPUT_DIR")
	}
	out := os.Args[1]
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		fail("go env GOROOT: %v", err)
	}
	unzipZoneinfo(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "time", "zoneinfo.zip"),
		filepath.Join(out, "usr", "share", "zoneinfo"))
	copyFile("/etc/ssl/certs/ca-certificates.crt", filepath.Join(out, "etc", "ssl", "certs", "ca-certificates.crt"))
	tmp := filepath.Join(out, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		fail("%v", err)
	}
	if err := os.Chmod(tmp, os.ModeSticky|0o777); err != nil {
		fail("%v", err)
	}
}

func unzipZoneinfo(archive, dir string) {
	reader, err := zip.OpenReader(archive)
	if err != nil {
		fail("the builder's Go has no time zone database (%v)", err)
	}
	defer reader.Close()
	for _, file := range reader.File {
		target := filepath.Join(dir, filepath.FromSlash(file.Name))
		if !strings.HasPrefix(target, dir+string(os.PathSeparator)) {
			fail("zoneinfo.zip entry %q escapes the target directory", file.Name)
		}
		if file.FileInfo().IsDir() {
			continue
		}
		source, err := file.Open()
		if err != nil {
			fail("%v", err)
		}
		write(source, target)
		source.Close()
	}
}

func copyFile(from, to string) {
	source, err := os.Open(from)
	if err != nil {
		fail("the builder image has no CA bundle at %s (%v); use a builder image with ca-certificates", from, err)
	}
	defer source.Close()
	write(source, to)
}

func write(source io.Reader, target string) {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		fail("%v", err)
	}
	file, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		fail("%v", err)
	}
	if _, err := io.Copy(file, source); err != nil {
		fail("%v", err)
	}
	if err := file.Close(); err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gostage runtime files: "+format+"\n", args...)
	os.Exit(1)
}
