//! hitchpost: profiles, linked social accounts and connect links, in one binary over one
//! SQLite file.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod delivery;
pub mod domain;
pub mod flights;
pub mod forwarded;
pub mod ids;
pub mod jobs;
pub mod metrics;
pub mod providers;
pub mod ratelimit;
pub mod service;
pub mod startup;
pub mod store;
pub mod usage;
