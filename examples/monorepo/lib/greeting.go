// Package lib is the library both services share.
package lib

// Greeting is the text both services print.
func Greeting() string {
	return "hello from the shared library"
}
