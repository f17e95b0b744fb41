# Builds the monorepo's two services through gostage with `docker buildx bake`, from the
# repository's root (the build context every service needs, see docs/monorepos.md):
#
#   docker buildx bake                    # svc-a and svc-b, linux/amd64 and linux/arm64
#   docker buildx bake --push             # the same, pushed to REGISTRY
#   docker buildx bake test               # each service's tests: test-reports/<service>/
#   PLATFORMS=linux/amd64 docker buildx bake
#   GOSTAGE_FRONTEND=myorg/gostage@sha256:<digest> docker buildx bake   # pin the frontend

# Where the images go: REGISTRY/<service>:TAG.
variable "REGISTRY" {
  default = "registry.example/monorepo"
}

variable "TAG" {
  default = "latest"
}

# The images' platforms, comma-separated.
variable "PLATFORMS" {
  default = "linux/amd64,linux/arm64"
}

# The frontend image that builds the specs, instead of the one their `# syntax=` line names:
# BuildKit's Dockerfile frontend runs the image in the build-arg BUILDKIT_SYNTAX when it is
# set (moby/buildkit frontend/dockerfile/builder/build.go). Empty: each spec's `# syntax=`.
# Pin a version by digest so that every build of a commit uses the same frontend.
variable "GOSTAGE_FRONTEND" {
  default = ""
}

group "default" {
  targets = ["svc-a", "svc-b"]
}

# What every target shares: the repository's root as the context, and the frontend pin.
target "_gostage" {
  context = "."
  args = {
    BUILDKIT_SYNTAX = GOSTAGE_FRONTEND == "" ? null : GOSTAGE_FRONTEND
  }
}

# One image per service: svc-a and svc-b. `docker buildx bake image` builds both.
target "image" {
  name       = service
  matrix     = { service = ["svc-a", "svc-b"] }
  inherits   = ["_gostage"]
  dockerfile = "${service}.gostage.yaml"
  platforms  = split(",", PLATFORMS)
  tags       = ["${REGISTRY}/${service}:${TAG}"]
}

# One test run per service (the spec's `test` target): svc-a-test and svc-b-test, each writing
# test-report.txt and test-report.json to test-reports/<service>. Tests run on the builder's
# platform. `docker buildx bake test` runs both.
target "test" {
  name       = "${service}-test"
  matrix     = { service = ["svc-a", "svc-b"] }
  inherits   = ["_gostage"]
  dockerfile = "${service}.gostage.yaml"
  target     = "test"
  output     = ["type=local,dest=test-reports/${service}"]
}
