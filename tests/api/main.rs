//! Black-box tests over real HTTP.

mod audit;
mod auth;
mod ayrshare;
mod bad_input;
mod browser;
mod cli;
mod clients;
mod connect;
mod cors;
mod crash;
mod cross_dialect;
mod fakes;
mod helpers;
mod holders;
mod idempotency;
mod limits;
mod linking;
mod openapi;
mod postcore;
mod profiles;
mod properties;
mod property_bodies;
mod schemathesis;
mod upgrade;
mod uploadpost;
mod webhooks;
