module example.com/monorepo/svc-a

go 1.23

require example.com/monorepo/lib v0.0.0

// Without go.work (GOWORK=off, or svc-a/ alone), the library comes from this directory too.
replace example.com/monorepo/lib => ../lib
