//! Tests of the built `gongkai` binary: its commands, a running server beside them, and the
//! browser journeys. One test binary, linked once.

mod browser;
mod cli;
mod live;
