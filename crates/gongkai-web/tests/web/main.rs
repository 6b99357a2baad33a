//! The web crate's HTTP tests, one module per concern, in one test binary: each binary
//! links the whole application, and on a two-core CI machine six links cost minutes.

mod api;
mod errors;
mod login;
mod prg;
mod requests;
mod trust;

/// Percent-encodes every byte but ASCII letters and digits, as a browser sends form text.
pub(crate) fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
