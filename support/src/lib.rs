//! Support code shared by `xtask` (provisioning and developer tasks) and `gostage-e2e` (the
//! end-to-end tests): the names and paths of the test environment, running commands, the build
//! commands of each daemon path, HTTP, ELF facts, and reading images from the local registry.
//!
//! The real components are described in DESIGN.md, "Real components and how tests start them".

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
