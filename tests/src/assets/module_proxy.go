// A Go module proxy for the end-to-end tests: serves a module cache's download directory
// ($GOMODCACHE/cache/download, laid out as the GOPROXY protocol's paths: `go help
// goproxy`) with the standard library's file server on a free port of 127.0.0.1, and
// prints that address on its first line of output.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: module_proxy DIRECTORY")
		os.Exit(2)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(listener.Addr().String())
	err = http.Serve(listener, http.FileServer(http.Dir(os.Args[1])))
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
