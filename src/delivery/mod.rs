//! Webhook delivery: a worker reads the outbox and sends each due delivery in the format of
//! the subscription that asked for it (`format`), signed, with retries.
//!
//! Each attempt runs on a thread of its own with its own timeout, within fair shares
//! (`slots`), so a receiver that hangs or answers with an endless body holds up only its own
//! deliveries, never another tenant's or the database reads. Deliveries of one profile to
//! one subscription go in order: a later one waits while an earlier one is pending. Delivery is
//! at least once; the event id (in the body and in `webhook-id`) lets receivers drop repeats.

pub mod format;
mod sign;
mod slots;
mod worker;

pub use format::{Event, Formats, Rendered, WebhookFormat};
pub use sign::{new_secret, sign};
pub use worker::{Worker, start};
