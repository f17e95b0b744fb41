// a comment
module "example.com/shop/api" // trailing

go 1.22.3

toolchain go1.23.4

require (
	github.com/google/uuid v1.6.0
	golang.org/x/net v0.30.0 // indirect
)

require example.com/single v1.0.0

replace example.com/single => ../single

exclude example.com/bad v0.1.0
retract [v1.0.0, v1.1.0]
