// The large real program of `cargo xtask bench --case large`: the Caddy web server with its
// standard modules (about 170 modules in go.mod), built the way Caddy's own cmd/caddy builds.
package main

import (
	"github.com/caddyserver/caddy/v2"
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"
)

func main() {
	// `caddy version` prints this first; the bench's edit rows change it.
	caddy.CustomVersion = "large-program"
	caddycmd.Main()
}
