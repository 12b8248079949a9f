//! hitchpost: profiles, linked social accounts and connect links, in one binary over one
//! SQLite file.

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
pub mod delivery;
pub mod domain;
pub mod linking;
pub mod metrics;
pub mod providers;
pub mod ratelimit;
pub mod startup;
pub mod store;
pub mod usage;
