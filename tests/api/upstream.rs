//! A generic HTTP/1.1 server standing in for a platform's API behind the proxy: it records
//! every request exactly as it arrived (request line, headers in order, body length and
//! digest) and answers what the test tells it to. Plain threads and sockets, so that nothing
//! between the proxy and what is recorded can tidy a request up.

use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The request target: path and query, as sent.
    pub target: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body_len: u64,
    pub body_sha256: String,
    /// The body itself when it is at most 1 MiB.
    pub body: Vec<u8>,
    pub chunked: bool,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn has(&self, name: &str) -> bool {
        self.header(name).is_some()
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: ReplyBody,
}

#[derive(Debug, Clone)]
pub enum ReplyBody {
    Bytes(Vec<u8>),
    /// This many bytes of a repeating pattern, written in 64 KiB pieces with Content-Length.
    Pattern(u64),
}

impl Reply {
    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: ReplyBody::Bytes(body.to_string().into_bytes()),
        }
    }
    pub fn with(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Responder = Box<dyn Fn(&Recorded) -> Reply + Send>;

/// A running upstream.
pub struct Upstream {
    pub base: String,
    pub received: Arc<Mutex<Vec<Recorded>>>,
    respond: Arc<Mutex<Responder>>,
}

impl Upstream {
    /// Starts one that answers 200 `{"ok": true}` until told otherwise.
    pub fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind upstream");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let respond: Arc<Mutex<Responder>> =
            Arc::new(Mutex::new(Box::new(|_: &Recorded| Reply::json(200, &serde_json::json!({"ok": true})))));
        let (r, a) = (received.clone(), respond.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (r, a) = (r.clone(), a.clone());
                std::thread::spawn(move || serve(conn, r, a));
            }
        });
        Upstream { base, received, respond }
    }

    /// Sets what it answers from now on.
    pub fn answer(&self, f: impl Fn(&Recorded) -> Reply + Send + 'static) {
        *self.respond.lock().unwrap() = Box::new(f);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.received.lock().unwrap().clone()
    }

    pub fn last(&self) -> Recorded {
        self.requests().pop().expect("the upstream received nothing")
    }
}

fn serve(conn: TcpStream, received: Arc<Mutex<Vec<Recorded>>>, respond: Arc<Mutex<Responder>>) {
    let mut out = conn.try_clone().expect("clone");
    let mut reader = BufReader::with_capacity(64 * 1024, conn);
    loop {
        let Some(rec) = read_request(&mut reader) else { return };
        let reply = (respond.lock().unwrap())(&rec);
        let head = rec.method == "HEAD";
        received.lock().unwrap().push(rec);
        if write_reply(&mut out, &reply, head).is_err() {
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Recorded> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.trim_end().splitn(3, ' ');
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let chunked = get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let mut sink = Sink::default();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let n = u64::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            if n == 0 {
                let mut end = String::new();
                reader.read_line(&mut end).ok()?;
                break;
            }
            sink.take(reader, n)?;
            let mut crlf = [0u8; 2];
            reader.read_exact(&mut crlf).ok()?;
        }
    } else if let Some(n) = get("content-length").and_then(|v| v.parse::<u64>().ok()) {
        sink.take(reader, n)?;
    }
    Some(Recorded {
        method,
        target,
        headers,
        body_len: sink.len,
        body_sha256: sink.digest.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        body: sink.kept,
        chunked,
    })
}

#[derive(Default)]
struct Sink {
    len: u64,
    digest: Sha256,
    kept: Vec<u8>,
}

impl Sink {
    fn take(&mut self, reader: &mut BufReader<TcpStream>, mut n: u64) -> Option<()> {
        let mut buf = vec![0u8; 64 * 1024];
        while n > 0 {
            let want = n.min(buf.len() as u64) as usize;
            let got = reader.read(&mut buf[..want]).ok()?;
            if got == 0 {
                return None;
            }
            self.digest.update(&buf[..got]);
            if self.kept.len() + got <= 1024 * 1024 {
                self.kept.extend_from_slice(&buf[..got]);
            }
            self.len += got as u64;
            n -= got as u64;
        }
        Some(())
    }
}

/// The byte at offset `i` of a `Pattern` body.
pub fn pattern_byte(i: u64) -> u8 {
    (i % 251) as u8
}

/// Writes the answer; to a HEAD, the head alone (with the length the body would have).
fn write_reply(out: &mut TcpStream, reply: &Reply, head_only: bool) -> std::io::Result<()> {
    let len = match &reply.body {
        ReplyBody::Bytes(b) => b.len() as u64,
        ReplyBody::Pattern(n) => *n,
    };
    let mut head = format!("HTTP/1.1 {} X\r\ncontent-length: {len}\r\n", reply.status);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    if head_only {
        return out.flush();
    }
    match &reply.body {
        ReplyBody::Bytes(b) => out.write_all(b)?,
        ReplyBody::Pattern(n) => {
            let piece: Vec<u8> = (0..64 * 1024u64).map(pattern_byte).collect();
            let mut sent = 0u64;
            while sent < *n {
                // Offsets stay aligned with the pattern: 65 536 is not a multiple of 251, so
                // each piece starts where the last ended.
                let start = (sent % 251) as usize;
                let want = ((*n - sent) as usize).min(piece.len() - 251);
                out.write_all(&piece[start..start + want])?;
                sent += want as u64;
            }
        }
    }
    out.flush()
}
