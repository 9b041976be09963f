//! fq-import: stream CSV and JSONL contact exports into a FirstQuadrant import webhook.
//!
//! Rows flow one way: [`input`] reads records, [`mapping`] turns each into a body, [`send`]
//! delivers it, and [`report`] writes what became of it. [`import`] wires them together;
//! [`state`] remembers between runs what the webhook accepted.

pub mod cli;
pub mod exit;
pub mod import;
pub mod input;
pub mod inspect;
pub mod log;
pub mod mapping;
pub mod mock;
pub mod progress;
pub mod report;
pub mod schema;
pub mod secret;
pub mod send;
pub mod settings;
pub mod state;
pub mod summary;
