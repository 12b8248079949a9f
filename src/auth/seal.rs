//! Tokens at rest: ChaCha20-Poly1305 keyed from the server secret, a random nonce per value,
//! stored as nonce || ciphertext. A copy of the database alone yields no provider token.

use super::secret::ServerSecret;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use rand::RngExt;

const NONCE_LEN: usize = 12;
const AAD: &[u8] = b"hitchpost provider token v1";

/// Seals and opens provider tokens.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl Sealer {
    pub fn new(secret: &ServerSecret) -> Self {
        let key = secret.digest(b"token encryption", b"");
        let cipher = ChaCha20Poly1305::new_from_slice(&key).expect("a 32-byte key");
        Sealer { cipher }
    }

    /// Encrypts a token.
    pub fn seal(&self, plaintext: &str) -> Vec<u8> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::rng().random();
        let nonce = Nonce::from(nonce_bytes);
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: AAD })
            .expect("encryption of an in-memory buffer");
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts a token; `None` if it was not sealed with this secret or was tampered with.
    pub fn open(&self, sealed: &[u8]) -> Option<String> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).ok()?;
        let plain = self.cipher.decrypt(&nonce, Payload { msg: body, aad: AAD }).ok()?;
        String::from_utf8(plain).ok()
    }
}
