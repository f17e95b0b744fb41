// A service in a subdirectory of a monorepo.
module example.com/monorepo/services/api

go 1.22.0

require (
	example.com/monorepo/libs/shared v0.0.0-00010101000000-000000000000
	github.com/google/uuid v1.6.0
)

replace example.com/monorepo/libs/shared => ../../libs/shared

replace (
	// Our fork, until the fix is released.
	github.com/google/uuid v1.6.0 => github.com/myorg/uuid v1.6.1
	golang.org/x/net => golang.org/x/net v0.24.0
	"example.com/quoted" => "../../libs/with space"
	example.com/escaped => "./a\x41\u00e9"
	example.com/up => ../../..
	example.com/abs => /srv/modules/abs
)

replace ( )
