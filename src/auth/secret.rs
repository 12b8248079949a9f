//! The server secret: from `HITCHPOST_SECRET`, else generated at first start and kept beside
//! the database (mode 0600), so links and the dev key outlive a restart.

use blake2::{Blake2b512, Digest};
use rand::RngExt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// 32 bytes that key every digest, signature and encryption of this server.
#[derive(Clone)]
pub struct ServerSecret([u8; 32]);

impl std::fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecret(..)")
    }
}

impl ServerSecret {
    /// The shortest `HITCHPOST_SECRET` taken. It is hashed once, not stretched (every link
    /// and session JWT is keyed from it, so a guessable one could be found offline from any
    /// of them): it must be random, and long enough that guessing is hopeless.
    pub const MIN_PASSPHRASE_CHARS: usize = 32;

    /// Whether an operator-given secret is long and varied enough; the error says what to do.
    pub fn check_passphrase(s: &str) -> Result<(), String> {
        let chars: Vec<char> = s.chars().collect();
        let mut distinct = chars.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if chars.len() < Self::MIN_PASSPHRASE_CHARS || distinct.len() < 10 {
            return Err(format!(
                "HITCHPOST_SECRET must be at least {} random characters (e.g. `openssl rand -hex 32`); \
                 a new secret ends every link and session and linked accounts must reconnect",
                Self::MIN_PASSPHRASE_CHARS
            ));
        }
        Ok(())
    }

    /// Derives the secret from an operator-given string (checked by `check_passphrase`).
    pub fn from_passphrase(s: &str) -> Self {
        Self(derive(b"hitchpost server secret", s.as_bytes()))
    }

    /// The file that keeps a generated secret for the database at `db`.
    pub fn path_for(db: &Path) -> PathBuf {
        let mut name = db.file_name().unwrap_or_default().to_os_string();
        name.push(".secret");
        db.with_file_name(name)
    }

    /// Reads the secret kept beside `db`, creating it if there is none.
    pub fn load_or_create(db: &Path) -> std::io::Result<Self> {
        let path = Self::path_for(db);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_hex(text.trim()).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{} does not hold 64 hex digits", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let bytes: [u8; 32] = rand::rng().random();
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
                match opts.open(&path) {
                    Ok(mut f) => {
                        f.write_all(hex(&bytes).as_bytes())?;
                        f.sync_all()?;
                        Ok(Self(bytes))
                    }
                    // Another process (the CLI, a second server) created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::load_or_create(db),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Copies the secret kept beside the database `from` (if it has one) to beside `to`, mode
    /// 0600, replacing what is there: for backups and restores, whose data is sealed with it.
    /// Returns whether there was one to copy.
    pub fn copy_beside(from: &Path, to: &Path) -> std::io::Result<bool> {
        let text = match std::fs::read_to_string(Self::path_for(from)) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        let dest = Self::path_for(to);
        let tmp = dest.with_extension("secret.tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &dest)?;
        Ok(true)
    }

    fn from_hex(s: &str) -> Option<Self> {
        if s.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Self(out))
    }

    /// A 32-byte digest of `data` keyed by this secret, separated by `purpose`.
    pub fn digest(&self, purpose: &[u8], data: &[u8]) -> [u8; 32] {
        let mut h = Blake2b512::new();
        h.update(self.0);
        h.update((purpose.len() as u32).to_le_bytes());
        h.update(purpose);
        h.update(data);
        let full = h.finalize();
        let mut out = [0u8; 32];
        out.copy_from_slice(&full[..32]);
        out
    }
}

fn derive(purpose: &[u8], data: &[u8]) -> [u8; 32] {
    let mut h = Blake2b512::new();
    h.update(purpose);
    h.update(data);
    let mut out = [0u8; 32];
    out.copy_from_slice(&h.finalize()[..32]);
    out
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
