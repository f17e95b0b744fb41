// Command svc-a prints the shared library's text: one of two services of the monorepo
// example, each built from the repository's root with its own spec (svc-a.gostage.yaml).
package main

import (
	"fmt"

	"example.com/monorepo/lib"
)

func main() {
	fmt.Println("svc-a: " + lib.Greeting())
}
