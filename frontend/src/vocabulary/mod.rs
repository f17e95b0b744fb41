//! The words every other module shares, at the bottom of the crate: it imports nothing of
//! gostage's own, and everything may import it.
//!
//! One parser per concept lives here (platform, image reference, binary name, ldflags
//! template, duration), so `spec` validation, option parsing and planning agree on what is
//! valid, and `gostage check` rejects everything that can be decided without a daemon.

mod binary_name;
mod diagnostic;
mod duration;
mod image;
mod ldflags;
mod location;
mod platform;
mod problem;
mod reference;
mod request;
mod spec_source;
mod time;

pub use binary_name::{check_binary_name, derive_binary_name};
pub use diagnostic::Diagnostic;
pub use duration::duration_nanoseconds;
pub use image::{Healthcheck, ImageSettings, ResolvedImage};
pub use ldflags::{LdflagsTemplate, TemplateValues};
pub use location::{Located, Span};
pub use platform::Platform;
pub use problem::Problem;
pub use reference::ImageReference;
pub use request::{BuildRequest, CacheImport, ResolveMode, Target, GO_ENVIRONMENT_BUILD_ARGS};
pub use spec_source::SpecSource;
pub use time::rfc3339;
