// Command svc-b prints the shared library's text: one of two services of the monorepo
// example, each built from the repository's root with its own spec (svc-b.gostage.yaml).
package main

import (
	"fmt"

	"example.com/monorepo/lib"
)

func main() {
	fmt.Println("svc-b: " + lib.Greeting())
}
