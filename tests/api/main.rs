//! Black-box tests over real HTTP.

mod auth;
mod bad_input;
mod cli;
mod helpers;
mod openapi;
mod profiles;
