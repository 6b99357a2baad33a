//! The web crate's HTTP tests, one module per concern, in one test binary: each binary
//! links the whole application, and on a two-core CI machine six links cost minutes.

mod api;
mod errors;
mod login;
mod prg;
mod requests;
mod trust;
