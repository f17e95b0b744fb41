//! gostage: a BuildKit gateway frontend that turns `gostage.yaml` plus a Go module into LLB for
//! a minimal, non-root container image.
//!
//! Data flows one way:
//! ```text
//! frontend options ─► gateway::options ─► BuildRequest ┐
//! spec bytes ────────► spec::parse ─────► Spec ────────┼─► plan::needs ─► Needs
//! go.mod, .dockerignore ─► context ─────► ModuleContext┘        │ gateway resolves images
//!                                                               ▼
//!                          plan::plan(input, needs, resolved) ─► Plan (LLB + ImageSettings)
//!                          render::render ─► definitions + image config JSON (image::config)
//!                          gateway: Solve, verify, Return  cli `gostage llb`: print as JSON
//! ```
//!
//! Modules, from the bottom (each imports only those above it in this list; the design, with
//! what each module owns, is docs/architecture.md):
//! - [`vocabulary`]: shared words and their one parser each (Span/Located, Diagnostic,
//!   Problem, Platform, ImageReference, binary names, ldflags templates, durations,
//!   BuildRequest, ResolvedImage, ImageSettings, Healthcheck); imports nothing of ours.
//! - [`step_contract`]: what the plan and the programs inside build steps agree on: mount
//!   points, paths, variables, the failure-hints protocol and the command lines; imports
//!   nothing of ours.
//! - [`gomod`]: go.mod and go.work: module path, `go`, `toolchain`, `require`, `replace` and
//!   `use` with their positions, and paths relative to the build context (vocabulary).
//! - [`spec`]: gostage.yaml: parse, validate with positions, JSON Schema (vocabulary, gomod).
//! - [`migrate`]: a Go program's Dockerfile → gostage.yaml and a report of what became of
//!   each instruction, a pure function (vocabulary, gomod, spec).
//! - [`context`]: facts read from the build context as one value: where the Go modules are
//!   (`module:`, go.work, local `replace` directories; one reader for the gateway and the
//!   CLI), `.dockerignore`, the `files:` sources (vocabulary, gomod, spec).
//! - [`llb`]: typed LLB builder and marshalling (vocabulary).
//! - [`lint`]: named rules over the spec and context, shared by `gostage check`, `--call=check`
//!   and build warnings (vocabulary, gomod, spec, context).
//! - [`image`]: the OCI image config from ImageSettings (vocabulary).
//! - [`verify`]: what to check in a solved result, and the ELF checks over bytes
//!   (vocabulary).
//! - [`plan`]: pure planning, two phases (vocabulary, step_contract, gomod, spec, context,
//!   llb, verify).
//! - [`subrequests`]: answers to `--call` (outline, targets, lint, describe) as BuildKit's
//!   JSON documents (vocabulary, spec, lint, plan's secret ids).
//! - [`render`]: a Plan as definitions and config JSON (plan, llb, image).
//! - [`gateway`]: the frontend process: BuildKit's gateway API (all of the above).
//! - [`step`]: what the binary does inside build steps (explain a failed Go command,
//!   download modules, gather the runtime files, write the SBOM, run the tests with their
//!   reports) (step_contract, verify's ELF parser).
//! - [`fuzzing`]: entry points for `cargo fuzz` and the corpus replay (spec through LLB,
//!   go.mod, one-line parsers, frontend options).
//! - [`cli`]: commands for people: check, init (also `--from` a Dockerfile), llb, schema,
//!   version (spec, context, lint, migrate,
//!   plan, render, gateway's option parsing).

pub mod cli;
pub mod context;
pub mod fuzzing;
pub mod gateway;
pub mod gomod;
pub mod image;
pub mod lint;
pub mod llb;
pub mod migrate;
pub mod plan;
pub mod render;
pub mod spec;
pub mod step;
pub mod step_contract;
pub mod subrequests;
pub mod verify;
pub mod vocabulary;
