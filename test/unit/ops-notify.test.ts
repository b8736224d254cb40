import { isEmailAddress, jobMail } from '../../src/ops/mailer.js';
import { checkNotifyParams } from '../../src/ops/notify-params.js';
import { checkWebhookUrl, isPrivateAddress } from '../../src/ops/webhook.js';
import { routeLabeler } from '../../src/http/openapi.js';

describe('webhook address guard', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd12::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip'])('refuses %s', (a) => {
    expect(isPrivateAddress(a)).toBe(true);
  });
  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('allows %s', (a) => {
    expect(isPrivateAddress(a)).toBe(false);
  });
  it('takes only absolute http(s) URLs without credentials', () => {
    expect(checkWebhookUrl('https://hooks.example.org/drsoda?x=1').hostname).toBe('hooks.example.org');
    expect(() => checkWebhookUrl('/relative')).toThrow('absolute');
    expect(() => checkWebhookUrl('file:///etc/passwd')).toThrow('absolute');
    expect(() => checkWebhookUrl('https://u:p@example.org/')).toThrow('credentials');
    expect(() => checkWebhookUrl(`https://example.org/${'x'.repeat(2000)}`)).toThrow('2000');
  });
});

describe('notification parameters', () => {
  const p = (name: string, value: string) => ({ name, value, byReference: false });
  it('checks addresses and refuses repeats', () => {
    expect(isEmailAddress('a.b+c@example.org')).toBe(true);
    for (const bad of ['a@b', 'A <a@example.org>', 'a@example.org,b@example.org', 'a b@example.org', '']) expect(isEmailAddress(bad)).toBe(false);
    expect(() => checkNotifyParams([p('NOTIFY_URL', 'https://a.example.org/'), p('NOTIFY_URL', 'https://b.example.org/')], { email: true })).toThrow('NOTIFY_URL may be given once');
    expect(() => checkNotifyParams([p('NOTIFY_EMAIL', 'a@example.org')], { email: false })).toThrow('sends no e-mail');
    expect(() => checkNotifyParams([p('NOTIFY_EMAIL', 'a@example.org'), p('ID', 'x')], { email: true })).not.toThrow();
  });
  it('writes the end-of-job e-mail with the error of a failed job', () => {
    const m = jobMail({ jobId: 'j1', runId: null, phase: 'ERROR', jobUrl: 'http://h/soda/async/j1' }, { error: { message: 'Error: step fake bad failed', type: 'fatal', detail: null, detailType: null }, results: [] } as never);
    expect(m.subject).toBe('drsoda job j1: ERROR');
    expect(m.text).toContain('has failed.');
    expect(m.text).toContain('Why: Error: step fake bad failed');
    expect(m.text).toContain('Step logs: http://h/soda/async/j1/steps');
  });
});

describe('route labels', () => {
  const label = routeLabeler(['/soda/async', '/soda/async/{id}', '/soda/async/{id}/results/{rid}', '/files/raw', '/files/raw/{night}/{ccd}/{file}', '/metrics']);
  it('maps concrete paths to documented templates', () => {
    expect(label('/soda/async')).toBe('/soda/async');
    expect(label('/soda/async/')).toBe('/soda/async');
    expect(label('/soda/async/abc')).toBe('/soda/async/{id}');
    expect(label('/soda/async/abc/results/r1')).toBe('/soda/async/{id}/results/{rid}');
    expect(label('/files/raw/141118/ccd_1/18nov10001.fits')).toBe('/files/raw/{night}/{ccd}/{file}');
    expect(label('/soda/async/abc/nothing')).toBeUndefined();
    expect(label('/metrics.txt')).toBeUndefined();
  });
});
