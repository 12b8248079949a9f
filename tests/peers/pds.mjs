// The official Bluesky PDS (@atproto/pds) with its own PLC directory (@did-plc/server, in
// memory), on 127.0.0.1, for the tests: the way @atproto/dev-env composes them, without the
// AppView (which needs PostgreSQL). It makes one account with a profile record (display name,
// avatar) and an app password, prints one JSON line with what the test needs, and runs until
// its stdin closes (the test dropped it) or it is killed.
//
// usage: node pds.mjs DATA_DIR
import { PDS, envToCfg, envToSecrets } from '@atproto/pds';
import * as plc from '@did-plc/server';
import { Secp256k1Keypair } from '@atproto/crypto';
import net from 'node:net';
import fs from 'node:fs/promises';
import path from 'node:path';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: node pds.mjs DATA_DIR');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: await freePort() });
const plcHttp = await plcServer.start();
const plcUrl = `http://127.0.0.1:${plcHttp.address().port}`;

const port = await freePort();
const rotationKey = await Secp256k1Keypair.create({ exportable: true });
const rotationHex = Buffer.from(await rotationKey.export()).toString('hex');
await fs.mkdir(path.join(dataDir, 'blobs'), { recursive: true });
const env = {
  devMode: true,
  port,
  hostname: 'localhost',
  dataDirectory: dataDir,
  blobstoreDiskLocation: path.join(dataDir, 'blobs'),
  didPlcUrl: plcUrl,
  recoveryDidKey: (await Secp256k1Keypair.create()).did(),
  plcRotationKeyK256PrivateKeyHex: rotationHex,
  jwtSecret: 'jwt-secret',
  adminPassword: 'admin-pass',
  serviceHandleDomains: ['.test'],
  inviteRequired: false,
  disableSsrfProtection: true,
  // No AppView: app.bsky.* reads fail, as they do when an AppView is down; the profile record
  // is still on the PDS.
  bskyAppViewUrl: 'http://127.0.0.1:9',
  bskyAppViewDid: 'did:example:invalid',
  modServiceUrl: 'http://127.0.0.1:9',
  modServiceDid: 'did:example:invalid',
  serviceName: 'hitchpost test PDS',
};
const pds = await PDS.create(envToCfg(env), envToSecrets(env));
await pds.start();
const url = `http://127.0.0.1:${port}`;

async function xrpc(method, nsid, { body, token, contentType, raw } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = contentType ?? 'application/json';
  const res = await fetch(`${url}/xrpc/${nsid}`, {
    method,
    headers,
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${nsid}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const handle = 'alice.test';
const password = 'alice-main-password';
const account = await xrpc('POST', 'com.atproto.server.createAccount', {
  body: { handle, email: 'alice@example.test', password },
});
// A one-pixel PNG as the avatar.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const blob = await xrpc('POST', 'com.atproto.repo.uploadBlob', {
  body: png,
  raw: true,
  contentType: 'image/png',
  token: account.accessJwt,
});
await xrpc('POST', 'com.atproto.repo.putRecord', {
  token: account.accessJwt,
  body: {
    repo: account.did,
    collection: 'app.bsky.actor.profile',
    rkey: 'self',
    record: { $type: 'app.bsky.actor.profile', displayName: 'Alice Example', avatar: blob.blob },
  },
});
const appPassword = await xrpc('POST', 'com.atproto.server.createAppPassword', {
  token: account.accessJwt,
  body: { name: 'hitchpost' },
});

console.log(
  JSON.stringify({
    url,
    plcUrl,
    did: account.did,
    handle,
    password,
    appPassword: appPassword.password,
    appPasswordName: appPassword.name,
    avatarCid: blob.blob.ref.$link,
  }),
);

async function shutdown() {
  await pds.destroy().catch(() => {});
  await plcServer.destroy().catch(() => {});
  process.exit(0);
}
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
