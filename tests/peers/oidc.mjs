// oidc-provider (the OpenID-certified OAuth 2.0 / OpenID Connect server) on 127.0.0.1, for
// the tests, configured as strictly as a careful platform: PKCE S256 required, one exact
// redirect URI, single-use codes, rotating refresh tokens (a reused one revokes the grant),
// client_secret_post only, RFC 7009 revocation, RFC 9207 `iss` in every authorization answer.
// Grants live in memory, so a restart forgets them (as a provider that revoked everything).
//
// The login and consent screens are answered at once for the account `alice` (the test plays a
// person who says yes, unless told to decline). GET /__events tells what reached the provider, so a test can count
// token requests and revocations. Prints one JSON line and runs until stdin closes.
//
// usage: node oidc.mjs PORT REDIRECT_URI
import Provider from 'oidc-provider';
import http from 'node:http';

const [port, redirectUri] = process.argv.slice(2);
if (!port || !redirectUri) throw new Error('usage: node oidc.mjs PORT REDIRECT_URI');
const issuer = `http://127.0.0.1:${port}`;

// How long the token endpoint waits before it answers (GET /__delay?ms=N), so a test can hold a
// refresh open while other callers arrive.
let tokenDelayMs = 0;
// Whether the person says no at the consent screen (GET /__decline?on=1; on=0 says yes again).
let declining = false;
const events = { tokenRequests: 0, authorizationCode: 0, refreshed: 0, refreshRefused: 0, revoked: 0, userinfo: 0 };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'hitchpost',
      client_secret: 'hitchpost-client-secret',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  pkce: { required: () => true, methods: ['S256'] },
  rotateRefreshToken: true,
  // Refresh tokens for every code grant of this client (no offline_access/consent dance).
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  scopes: ['openid', 'profile', 'email', 'offline_access', 'w_member_social'],
  claims: { openid: ['sub'], profile: ['name', 'picture'], email: ['email'] },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({
      sub,
      name: 'Alice Example',
      email: 'alice@example.com',
      picture: 'https://cdn.example.com/alice.png',
    }),
  }),
  cookies: { keys: ['hitchpost-test-cookie-key'] },
  features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AccessToken: 3600, AuthorizationCode: 60, RefreshToken: 30 * 24 * 3600, Grant: 30 * 24 * 3600 },
});

provider.on('grant.success', (ctx) => {
  if (ctx.oidc.params.grant_type === 'refresh_token') events.refreshed += 1;
  else events.authorizationCode += 1;
});
provider.on('grant.error', (ctx) => {
  if (ctx.oidc.params?.grant_type === 'refresh_token') events.refreshRefused += 1;
});
provider.on('grant.revoked', () => {
  events.revoked += 1;
});

async function interact(req, res) {
  const details = await provider.interactionDetails(req, res);
  // The person says no: oidc-provider's own abort, which answers the client access_denied.
  if (declining) {
    return provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    );
  }
  if (details.prompt.name === 'login') {
    return provider.interactionFinished(req, res, { login: { accountId: 'alice' } }, { mergeWithLastSubmission: false });
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/__events') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(events));
    return;
  }
  if (path === '/__decline') {
    declining = new URL(req.url, issuer).searchParams.get('on') === '1';
    res.end('{}');
    return;
  }
  if (path === '/__delay') {
    tokenDelayMs = Number(new URL(req.url, issuer).searchParams.get('ms') ?? 0);
    res.end('{}');
    return;
  }
  if (path === '/token' && req.method === 'POST') {
    events.tokenRequests += 1;
    if (tokenDelayMs > 0) {
      setTimeout(() => callback(req, res), tokenDelayMs);
      return;
    }
  }
  if (path === '/me') events.userinfo += 1;
  if (path.startsWith('/interaction/')) {
    interact(req, res).catch((e) => {
      res.statusCode = 500;
      res.end(String(e));
    });
    return;
  }
  callback(req, res);
});
server.listen(Number(port), '127.0.0.1', () => {
  console.log(
    JSON.stringify({
      issuer,
      authorize: `${issuer}/auth`,
      token: `${issuer}/token`,
      userinfo: `${issuer}/me`,
      revoke: `${issuer}/token/revocation`,
      clientId: 'hitchpost',
      clientSecret: 'hitchpost-client-secret',
    }),
  );
});

function shutdown() {
  server.close();
  process.exit(0);
}
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
