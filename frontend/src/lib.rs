//! gostage: a BuildKit gateway frontend that turns `gostage.yaml` plus a Go module into LLB for
//! a minimal, non-root container image.
//!
//! Data flows one way (see DESIGN.md): options and spec bytes → [`spec`] and [`gomod`] →
//! [`plan`] (pure) → [`llb`] definition and [`image`] config → [`gateway`] solve and return.

pub mod cli;
pub mod context;
pub mod gateway;
pub mod gomod;
pub mod image;
pub mod llb;
pub mod plan;
pub mod render;
pub mod spec;
pub mod vocabulary;
