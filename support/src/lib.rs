//! Support code shared by `xtask` (provisioning and developer tasks) and `gostage-e2e` (the
//! end-to-end tests): the names and paths of the test environment, running commands, the build
//! commands of each daemon path, HTTP, ELF facts, and reading images from the local registry.
//!
//! The real components (the local registry, the Docker Engine, buildkitd and its buildx
//! builder, the Go builder images) are described in docs/architecture.md, "Test environment";
//! `cargo xtask up` provisions them, and these modules name them ([`config`]), start builds
//! on them ([`build_command`]) and read what they made ([`registry`], [`container`]). Waiting
//! is [`wait`], temporary directories are [`temporary`].

pub mod build_command;
pub mod cmd;
pub mod config;
pub mod container;
pub mod elf;
pub mod go;
pub mod http;
pub mod registry;
pub mod temporary;
pub mod wait;
