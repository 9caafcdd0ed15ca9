//! `trailctl init`: a starter spec, or (`--from-account`) a spec that says what an account
//! already has, so that `plan --adopt` of it adds the ownership tags and nothing else.
//!
//! `discover` reads the account (live), `draft` translates what it found into the spec's shape
//! and says what cannot be declared (pure), `yaml` writes the spec. The CLI plans the draft
//! against the account and leaves out whatever the plan would change beyond tags.

pub mod discover;
pub mod draft;
mod node;
mod selectors;
pub mod starter;
mod yaml;
