//! What the proxy answers for a sandbox account (dev mode): the platform is never called; the
//! answer says what would have been sent, and carries a fake post id shaped like the
//! platform's, derived from the request, so that a platform can run its whole posting code
//! against `hitchpost serve --dev`. The same request gets the same answer.
//!
//! `200 {sandbox: true, platform, accountId, method, path, query, headers, body: {bytes,
//! sha256}, id}`; `headers` are those that would have gone up (the caller's credentials and
//! hop-by-hop headers already removed).

use super::{BodyStream, OutBody, Outbound, Proxied, headers};
use crate::domain::platform::Platform;
use crate::domain::{self, Error};
use crate::service::credentials::Fresh;
use awc::http::StatusCode;
use awc::http::header::{CONTENT_TYPE, HeaderValue};
use futures_util::StreamExt;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// Reads the body through a digest (never held whole) and answers.
pub(super) async fn answer(account: &Fresh, out: Outbound) -> domain::Result<Proxied> {
    let mut digest = Sha256::new();
    let mut bytes: u64 = 0;
    match out.body {
        OutBody::Kept(b) => {
            digest.update(&b);
            bytes = b.len() as u64;
        }
        OutBody::Streamed(mut s, _) => {
            while let Some(chunk) = s.next().await {
                let chunk = chunk.map_err(|e| Error::invalid("body", format!("could not be read: {e}")))?;
                digest.update(&chunk);
                bytes += chunk.len() as u64;
            }
        }
    }
    let sha = hex(&digest.finalize());
    let seed =
        Sha256::digest(format!("{}\n{}\n{}\n{}\n{sha}", account.account_id, out.method, out.path.path, out.path.query));
    let sent: Map<String, Value> = headers::up(&out.headers)
        .into_iter()
        .map(|(k, v)| (k.as_str().to_string(), json!(v.to_str().unwrap_or("<binary>"))))
        .collect();
    let body = json!({
        "sandbox": true, "platform": account.platform.as_str(), "accountId": account.account_id,
        "method": out.method.as_str(), "path": out.path.path, "query": out.path.query, "headers": sent,
        "body": {"bytes": bytes, "sha256": sha}, "id": fake_id(account, &seed),
    });
    let text = bytes::Bytes::from(body.to_string());
    let length = Some(text.len() as u64);
    let stream: BodyStream = Box::pin(futures_util::stream::once(async move { Ok(text) }));
    Ok(Proxied {
        status: StatusCode::OK,
        headers: vec![(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        account_id: account.account_id.clone(),
        via: "sandbox",
        retried: false,
        length,
        body: stream,
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `n` decimal digits from the seed (the first never 0).
fn digits(seed: &[u8], n: usize) -> String {
    (0..n).map(|i| char::from(b'0' + (seed[i % seed.len()] % 10).max(u8::from(i == 0)))).collect()
}

/// `n` characters of `alphabet` from the seed.
fn chars(seed: &[u8], n: usize, alphabet: &[u8]) -> String {
    (0..n).map(|i| char::from(alphabet[seed[(i + 7) % seed.len()] as usize % alphabet.len()])).collect()
}

/// A post id in the platform's own shape.
fn fake_id(account: &Fresh, seed: &[u8]) -> String {
    const B36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const TID: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";
    match account.platform {
        Platform::Linkedin => format!("urn:li:share:{}", digits(seed, 19)),
        Platform::X => digits(seed, 19),
        Platform::Facebook => format!("{}_{}", account.platform_user_id, digits(seed, 16)),
        Platform::Instagram | Platform::Threads => digits(seed, 17),
        Platform::Tiktok => format!("v_pub_file~v2-1.{}", digits(seed, 19)),
        Platform::Youtube => chars(seed, 11, B64URL),
        Platform::Pinterest => digits(seed, 18),
        Platform::Reddit => format!("t3_{}", chars(seed, 7, B36)),
        Platform::Bluesky => format!("at://{}/app.bsky.feed.post/{}", account.platform_user_id, chars(seed, 13, TID)),
    }
}
