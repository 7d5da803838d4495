//! # rp-suite: the rp crates in one place
//!
//! A facade for readers and for the workspace's own integration tests and benchmarks: it
//! re-exports each library crate under a short name. Applications may depend on it, or on any
//! single crate (`rp-lp`, `rp-game`, `rp-policy`, `rp-robust`, `rp-design`) alone.
//!
//! The README follows; its Rust examples run as this crate's doc tests, so they stay true.
#![doc = include_str!("../README.md")]

pub use rp_design as design;
pub use rp_game as game;
pub use rp_lp as lp;
pub use rp_policy as policy;
pub use rp_robust as robust;
