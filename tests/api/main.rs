//! Black-box tests over real HTTP.

mod auth;
mod bad_input;
mod browser;
mod cli;
mod connect;
mod fakes;
mod helpers;
mod linking;
mod openapi;
mod profiles;
