// A real OpenID Provider (panva oidc-provider) for idbridge's end-to-end tests.
//
// Listens on 127.0.0.1 on a port the kernel picks, prints one JSON line {"port","issuer"} on stdout and
// exits when its stdin closes, so it never outlives the test that started it. Signing keys are made per run.
// Knobs come from the environment (all optional):
//   IDP_MODE=auth0          answer authorization_pending with 403 and slow_down with 429, as Auth0 does
//   IDP_SLOW_DOWN=N         answer the first N device-code polls with slow_down (RFC 8628 §3.5)
//   IDP_INTERVAL=S          the `interval` put in the device authorization response (default 1)
//   IDP_TTL_DEVICE / IDP_TTL_ID_TOKEN / IDP_TTL_REFRESH   lifetimes in seconds
//   IDP_TAMPER=aud|iss|sig|exp  re-sign (or break) the ID token the token endpoint hands out
//   IDP_ISSUER=URL          the issuer to announce (a front that passes requests on to this server)
//   IDP_DATE_OFFSET=S       send a Date header S seconds off the real time (a server with a wrong clock)
//   IDP_HIDE=a,b            leave these keys out of the discovery document
//   IDP_QUIRKS=a,b          behave like IdPs seen in the wild (checked on each request):
//     no_refresh_id_token   a refresh answer carries no id_token (OIDC Core §12.2 allows it)
//     no_refresh_token      no answer carries a refresh_token
//     lowercase_token_type  token_type "bearer"
//     verification_url      the device answer says verification_url (Google), and no verification_uri_complete
//     empty_reuse           a refused refresh token is answered 400 with an empty body (no invalid_grant)
//     exact_redirect        /auth refuses (bare 403) any redirect_uri but IDP_REDIRECT_URI (Auth0, Okta)
//     jwt_access_token      the access token is a JWT signed by the IdP with aud = IDP_AT_AUDIENCE
//   IDP_TAMPER_ACCESS=aud|iss|sig|exp  the same for that JWT access token (IDP_TTL_ACCESS: its lifetime)
// Test-only endpoints: GET /_test/log (token endpoint calls), POST /_test/revoke (revoke every grant),
// POST /_test/tamper?what=aud (change IDP_TAMPER at run time), POST /_test/hang?count=N (the next N token
// requests get no answer for 30 s), POST /_test/delay?ms=M&count=N (the next N token requests are carried
// out — a refresh token is rotated — and their answers held back M ms: the window in which a client that
// stops loses the sign-in).
import { createServer } from 'node:http';
import { generateKeyPairSync, createSign, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

const env = process.env;
const num = (name, dflt) => (env[name] ? Number(env[name]) : dflt);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

const CLIENT_ID = env.IDP_CLIENT_ID || 'idbridge-test';
const accounts = (id) => ({
  accountId: id,
  async claims() { return { sub: id, email: `${id}@example.com`, email_verified: true }; },
});

const log = [];
let slowDownLeft = num('IDP_SLOW_DOWN', 0);
let tamper = env.IDP_TAMPER || '';
let hangLeft = 0;
let delay = { ms: 0, left: 0 };
const refreshTokens = [];
let lastSub = 'alice';
const quirk = (name) => (env.IDP_QUIRKS || '').split(',').includes(name);

const b64url = (buf) => Buffer.from(buf).toString('base64url');
function sign(payload) {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: jwk.kid }));
  const body = `${header}.${b64url(JSON.stringify(payload))}`;
  return `${body}.${b64url(createSign('RSA-SHA256').update(body).sign(privateKey))}`;
}
function resign(idToken, what) {
  const [h, p, s] = idToken.split('.');
  if (what === 'sig') return `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  if (what === 'aud') payload.aud = 'some-other-client';
  if (what === 'iss') payload.iss = 'https://evil.example.com/';
  if (what === 'exp') { payload.exp = Math.floor(Date.now() / 1000) - 600; payload.iat = payload.exp - 60; }
  const body = `${h}.${b64url(JSON.stringify(payload))}`;
  const sig = createSign('RSA-SHA256').update(body).sign(privateKey);
  return `${body}.${b64url(sig)}`;
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  // IDP_ISSUER: the issuer as seen through a front (tests/support/hostile.py) that passes requests on
  const issuer = env.IDP_ISSUER || `http://127.0.0.1:${port}/`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_name: 'idbridge',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      // the browser sign-in: authorization code + PKCE to a loopback redirect, any port (RFC 8252 §7.3)
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token', 'authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomUUID()] },
    findAccount: (ctx, id) => accounts(id),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'offline_access', 'email'],
    conformIdTokenClaims: false,
    rotateRefreshToken: true,
    features: { deviceFlow: { enabled: true }, devInteractions: { enabled: true }, revocation: { enabled: true } },
    ttl: {
      DeviceCode: num('IDP_TTL_DEVICE', 600),
      IdToken: num('IDP_TTL_ID_TOKEN', 3600),
      RefreshToken: num('IDP_TTL_REFRESH', 86400),
      AccessToken: 3600,
      Grant: 86400,
      Interaction: 600,
      Session: 86400,
    },
  });
  provider.on('refresh_token.saved', (token) => refreshTokens.push(token));
  provider.on('grant.revoked', (ctx, grantId) => log.push({ t: Date.now() / 1000, event: 'grant.revoked', grantId }));

  provider.use(async (ctx, next) => {
    if (ctx.path !== '/.well-known/openid-configuration' || !env.IDP_HIDE) return next();
    await next();
    const body = { ...ctx.body };
    for (const key of env.IDP_HIDE.split(',')) delete body[key];
    ctx.body = body;
  });

  provider.use(async (ctx, next) => {
    if (ctx.path === '/device/auth' && ctx.method === 'POST') {
      await next();
      if (ctx.status === 200) ctx.body = { ...ctx.body, interval: num('IDP_INTERVAL', 1) };
      // what a person reads off the terminal (for a browser stand-in on the page without the code filled in)
      if (ctx.status === 200) log.push({ t: Date.now() / 1000, event: 'device_auth', scope: ctx.oidc?.params?.scope, user_code: ctx.body.user_code });
      if (ctx.status === 200 && quirk('verification_url')) {
        const { verification_uri: url, verification_uri_complete: _, ...rest } = ctx.body;
        ctx.body = { ...rest, verification_url: url };
      }
      return;
    }
    if (ctx.path === '/auth' && quirk('exact_redirect') && ctx.query.redirect_uri !== env.IDP_REDIRECT_URI) {
      log.push({ t: Date.now() / 1000, event: 'redirect_refused', redirect_uri: ctx.query.redirect_uri });
      ctx.status = 403;
      ctx.body = '';
      return;
    }
    if (ctx.path !== '/token' || ctx.method !== 'POST') return next();
    const entry = { t: Date.now() / 1000 };
    log.push(entry);
    if (hangLeft > 0) {
      hangLeft -= 1;
      entry.result = 'hang';
      await new Promise((resolve) => { setTimeout(resolve, 30000); });
      return;
    }
    await next();
    entry.status = ctx.status;
    entry.result = ctx.body?.error || 'ok';
    // the provider parses the form before the grant runs, so the grant type is known by now
    entry.grant_type = ctx.oidc?.params?.grant_type;
    if (entry.grant_type === 'refresh_token') entry.refresh_token = ctx.oidc.params.refresh_token;
    if (entry.grant_type?.endsWith('device_code')) entry.device_code = ctx.oidc.params.device_code;
    if (entry.grant_type === 'authorization_code') entry.code = ctx.oidc.params.code;
    if (entry.result === 'authorization_pending' && slowDownLeft > 0) {
      slowDownLeft -= 1;
      ctx.status = env.IDP_MODE === 'auth0' ? 429 : 400;
      ctx.body = { error: 'slow_down', error_description: 'you are polling too quickly' };
      entry.result = 'slow_down';
    } else if (entry.result === 'authorization_pending' && env.IDP_MODE === 'auth0') {
      ctx.status = 403;
    }
    if (entry.result === 'ok') {
      // what was handed out, so a test can search everything idbridge wrote for it
      entry.issued = { id_token: ctx.body.id_token, refresh_token: ctx.body.refresh_token, access_token: ctx.body.access_token };
    }
    if (entry.result === 'ok') {
      const body = { ...ctx.body };
      if (quirk('no_refresh_token')) delete body.refresh_token;
      if (quirk('no_refresh_id_token') && entry.grant_type === 'refresh_token') delete body.id_token;
      if (quirk('lowercase_token_type')) body.token_type = 'bearer';
      if (quirk('jwt_access_token')) {
        const now = Math.floor(Date.now() / 1000);
        if (body.id_token) lastSub = JSON.parse(Buffer.from(body.id_token.split('.')[1], 'base64url')).sub;
        const sub = lastSub;
        body.access_token = sign({ iss: issuer, sub, aud: env.IDP_AT_AUDIENCE || 'https://aws.example.com',
          client_id: CLIENT_ID, email: `${sub}@example.com`, iat: now, exp: now + num('IDP_TTL_ACCESS', 3600),
          jti: randomUUID() });
        if (env.IDP_TAMPER_ACCESS) body.access_token = resign(body.access_token, env.IDP_TAMPER_ACCESS);
      }
      ctx.body = body;
      entry.issued = { id_token: body.id_token, refresh_token: body.refresh_token, access_token: body.access_token };
    } else if (quirk('empty_reuse') && entry.grant_type === 'refresh_token') {
      ctx.status = 400;
      ctx.body = '';
      ctx.remove('content-type');
    }
    if (entry.result === 'ok' && tamper && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: resign(ctx.body.id_token, tamper) };
    }
    entry.http_status = ctx.status;
    if (delay.left > 0) {
      delay.left -= 1;
      entry.delayed_ms = delay.ms;
      await new Promise((resolve) => { setTimeout(resolve, delay.ms); });
    }
  });

  const handle = provider.callback();
  server.on('request', async (req, res) => {
    if (env.IDP_DATE_OFFSET) res.setHeader('Date', new Date(Date.now() + num('IDP_DATE_OFFSET', 0) * 1000).toUTCString());
    if (req.url === '/_test/log') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(log));
    } else if (req.url === '/_test/revoke' && req.method === 'POST') {
      await Promise.all(refreshTokens.map((t) => t.destroy()));
      res.end('revoked');
    } else if (req.url.startsWith('/_test/hang') && req.method === 'POST') {
      hangLeft = Number(new URL(req.url, issuer).searchParams.get('count') || 1);
      res.end(`hang=${hangLeft}`);
    } else if (req.url.startsWith('/_test/delay') && req.method === 'POST') {
      const q = new URL(req.url, issuer).searchParams;
      delay = { ms: Number(q.get('ms') || 1000), left: Number(q.get('count') || 1) };
      res.end(`delay=${delay.ms}x${delay.left}`);
    } else if (req.url.startsWith('/_test/tamper') && req.method === 'POST') {
      tamper = new URL(req.url, issuer).searchParams.get('what') || '';
      res.end(`tamper=${tamper}`);
    } else {
      handle(req, res);
    }
  });
  process.stdout.write(`${JSON.stringify({ port, issuer, client_id: CLIENT_ID })}\n`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
