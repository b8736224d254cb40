// Job notifications end to end: UWS jobs created over HTTP with NOTIFY_URL / NOTIFY_EMAIL, a local webhook
// receiver that fails on purpose (retries, order, signature, giving up) and a local SMTP sink.
import { createHmac } from 'node:crypto';
import { notificationsOfJob } from '../../src/store/notification-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { scrape, valueOf } from '../support/ops-prometheus.js';
import { startSmtpSink, startWebhookReceiver, until, type SmtpSink } from '../support/ops-receivers.js';

const secret = 'a-test-secret-of-16+';

async function createJob(app: TestApp, params: Record<string, string>): Promise<{ status: number; id: string; text: string }> {
  const res = await fetch(`${app.url}/soda/async`, { method: 'POST', body: new URLSearchParams(params), redirect: 'manual' });
  const loc = res.headers.get('location') ?? '';
  return { status: res.status, id: loc.split('/').pop() ?? '', text: res.status === 303 ? '' : await res.text() };
}

describe('job notifications', () => {
  let db: TestDatabase;
  let app: TestApp;
  let smtp: SmtpSink;

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await startSmtpSink();
    app = await startTestApp(db.pool, {
      config: { NOTIFY_ALLOW_PRIVATE: 'true', NOTIFY_RETRY_BASE_S: '0.1', NOTIFY_MAX_ATTEMPTS: '3', NOTIFY_WEBHOOK_SECRET: secret, SMTP_URL: smtp.url, SMTP_FROM: 'drsoda <ops@example.org>' },
    });
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
    await db.drop();
  });

  it('calls the webhook on each phase change, in order, retrying failures with backoff, signed', async () => {
    // The first two calls fail (500, 503): the EXECUTING event is retried, and COMPLETED waits behind it.
    const hook = await startWebhookReceiver((n) => (n === 0 ? 500 : n === 1 ? 503 : 200));
    try {
      const before = await scrape(app.url);
      const job = await createJob(app, { DURATION: '0.2', PHASE: 'RUN', RUNID: 'night-1', NOTIFY_URL: hook.url });
      expect(job.status).toBe(303);
      await until('webhook calls', () => hook.calls.map((c) => `${c.body.phase}:${c.status}`), (v) => v.length >= 4);
      expect(hook.calls.map((c) => `${c.body.phase}:${c.status}`)).toEqual(['EXECUTING:500', 'EXECUTING:503', 'EXECUTING:200', 'COMPLETED:200']);
      const done = hook.calls[3];
      expect(done.body).toMatchObject({ jobId: job.id, runId: 'night-1', kind: 'sleep', phase: 'COMPLETED', previousPhase: 'EXECUTING', job: `${app.url}/soda/async/${job.id}` });
      expect(hook.calls.map((c) => c.body.attempt)).toEqual([1, 2, 3, 1]);
      // The signature is an HMAC of the exact body; receivers check it with the shared NOTIFY_WEBHOOK_SECRET.
      for (const c of hook.calls) expect(c.headers['x-drsoda-signature']).toBe(`sha256=${createHmac('sha256', secret).update(c.raw).digest('hex')}`);
      expect(hook.calls[0].headers['content-type']).toBe('application/json');
      const rows = await until('recorded deliveries', () => notificationsOfJob(db.pool, job.id), (r) => r.length === 2 && r.every((x) => x.state === 'delivered'));
      expect(rows.map((r) => [r.channel, r.phase, r.state, r.attempts])).toEqual([['webhook', 'EXECUTING', 'delivered', 3], ['webhook', 'COMPLETED', 'delivered', 1]]);
      const after = await scrape(app.url);
      expect(valueOf(after, 'drsoda_notification_attempts_total', { channel: 'webhook', outcome: 'retry' }) - valueOf(before, 'drsoda_notification_attempts_total', { channel: 'webhook', outcome: 'retry' })).toBe(2);
      expect(valueOf(after, 'drsoda_notifications', { channel: 'webhook', state: 'delivered' })).toBeGreaterThanOrEqual(2);
      // The parameter is a visible UWS parameter of the job.
      expect(await (await fetch(`${app.url}/soda/async/${job.id}/parameters`)).text()).toContain(`<uws:parameter id="NOTIFY_URL">${hook.url}</uws:parameter>`);
    } finally {
      await hook.close();
    }
  });

  it('gives up after NOTIFY_MAX_ATTEMPTS and on a 4xx refusal, recording why', async () => {
    const down = await startWebhookReceiver(() => 502);
    const gone = await startWebhookReceiver(() => 410);
    try {
      const a = await createJob(app, { DURATION: '0', PHASE: 'RUN', NOTIFY_URL: down.url });
      const b = await createJob(app, { DURATION: '0', PHASE: 'RUN', NOTIFY_URL: gone.url });
      const rowsA = await until('failed deliveries', () => notificationsOfJob(db.pool, a.id), (r) => r.length === 2 && r.every((x) => x.state === 'failed'));
      expect(rowsA.map((r) => [r.phase, r.attempts, r.lastError])).toEqual([['EXECUTING', 3, 'HTTP 502'], ['COMPLETED', 3, 'HTTP 502']]);
      const rowsB = await until('refused deliveries', () => notificationsOfJob(db.pool, b.id), (r) => r.length === 2 && r.every((x) => x.state === 'failed'));
      expect(rowsB.map((r) => [r.attempts, r.lastError])).toEqual([[1, 'HTTP 410'], [1, 'HTTP 410']]);
      expect(gone.calls).toHaveLength(2);
    } finally {
      await down.close();
      await gone.close();
    }
  });

  it('e-mails the start and the end through SMTP', async () => {
    const job = await createJob(app, { DURATION: '0.1', PHASE: 'RUN', RUNID: 'mail-run', NOTIFY_EMAIL: 'alice@example.org' });
    expect(job.status).toBe(303);
    const mails = await until('mails', () => smtp.mails.filter((m) => m.raw.includes(job.id)), (m) => m.length >= 2);
    expect(mails.map((m) => m.to)).toEqual([['alice@example.org'], ['alice@example.org']]);
    expect(mails[0].from).toBe('ops@example.org');
    expect(mails[0].raw).toMatch(/Subject: drsoda job mail-run \(\S+\): EXECUTING/);
    expect(mails[1].raw).toMatch(/Subject: drsoda job mail-run \(\S+\): COMPLETED/);
    // Quoted-printable soft line breaks (=CRLF) undone, as a mail reader does.
    expect(mails[1].raw.replace(/=\r?\n/g, '')).toContain(`Results (1): ${app.url}/soda/async/${job.id}/results`);
    // The mail can arrive before the delivery is recorded: wait for the rows' state, do not assume it.
    const rows = await until('recorded deliveries', () => notificationsOfJob(db.pool, job.id), (r) => r.length === 2 && r.every((x) => x.state !== 'sending' && x.state !== 'pending'));
    expect(rows.map((r) => [r.channel, r.phase, r.state])).toEqual([['email', 'EXECUTING', 'delivered'], ['email', 'COMPLETED', 'delivered']]);
  });

  it('refuses malformed notification parameters with UsageError, storing nothing', async () => {
    for (const [params, message] of [
      [{ NOTIFY_URL: 'ftp://example.org/x' }, /UsageError: NOTIFY_URL must be an absolute http/],
      [{ NOTIFY_URL: 'http://user:pw@example.org/x' }, /UsageError: NOTIFY_URL must not carry credentials/],
      [{ NOTIFY_EMAIL: 'not an address' }, /UsageError: NOTIFY_EMAIL must be one e-mail address/],
    ] as const) {
      const r = await createJob(app, { DURATION: '0', ...params });
      expect(r.status).toBe(400);
      expect(r.text).toMatch(message);
    }
    const { rows } = await db.pool.query(`select count(*)::int as n from uws_parameter where name = 'NOTIFY_URL' and value like 'ftp:%'`);
    expect(rows[0].n).toBe(0);
  });
});

describe('job notifications with the default guard and no SMTP', () => {
  let db: TestDatabase;
  let app: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool, { config: { NOTIFY_RETRY_BASE_S: '0.1' } });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('never calls a loopback webhook unless NOTIFY_ALLOW_PRIVATE is set', async () => {
    const hook = await startWebhookReceiver();
    try {
      const job = await createJob(app, { DURATION: '0', PHASE: 'RUN', NOTIFY_URL: hook.url });
      const rows = await until('refused deliveries', () => notificationsOfJob(db.pool, job.id), (r) => r.length === 2 && r.every((x) => x.state === 'failed'));
      expect(rows[0].lastError).toMatch(/^refused: 127\.0\.0\.1 is not a public address/);
      expect(rows[0].attempts).toBe(1);
      // A name that resolves to loopback is refused too (checked on the resolved address).
      const named = await createJob(app, { DURATION: '0', PHASE: 'RUN', NOTIFY_URL: hook.url.replace('127.0.0.1', 'localhost') });
      const rows2 = await until('refused deliveries', () => notificationsOfJob(db.pool, named.id), (r) => r.length === 2 && r.every((x) => x.state === 'failed'));
      expect(rows2[0].lastError).toMatch(/^refused: localhost resolves to the non-public address/);
      expect(hook.calls).toHaveLength(0);
    } finally {
      await hook.close();
    }
  });

  it('refuses NOTIFY_EMAIL when the service has no SMTP server', async () => {
    const r = await createJob(app, { DURATION: '0', NOTIFY_EMAIL: 'alice@example.org' });
    expect(r.status).toBe(400);
    expect(r.text).toBe('UsageError: NOTIFY_EMAIL: this service sends no e-mail (its operator has not set SMTP_URL)');
  });
});
