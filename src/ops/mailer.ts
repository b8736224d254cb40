// E-mail through the operator's SMTP server (nodemailer: STARTTLS, auth and timeouts from SMTP_URL), and the
// text of the start/end messages PAWS used to send its users.
import nodemailer from 'nodemailer';
import type { Job } from '../domain/job.js';

export interface Mailer {
  send(to: string, subject: string, text: string): Promise<void>;
  /** Connects and greets the server (doctor uses it); throws with the server's answer. */
  verify(): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465. */
  url: string;
  from: string;
  timeoutMs: number;
}

export function createMailer(o: MailerOptions): Mailer {
  const transport = nodemailer.createTransport(o.url, {
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
  } as Record<string, unknown>);
  return {
    async send(to, subject, text) {
      await transport.sendMail({ from: o.from, to, subject, text });
    },
    async verify() {
      await transport.verify();
    },
    close: () => transport.close(),
  };
}

const emailPattern = /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** A single plain address (no display name, no list), as NOTIFY_EMAIL takes. */
export function isEmailAddress(s: string): boolean {
  return s.length <= 254 && emailPattern.test(s);
}

export interface MailEvent {
  jobId: string;
  runId: string | null;
  phase: string;
  jobUrl: string | null;
}

/** Subject and text of the e-mail about one phase change; job (when still there) adds the error or results. */
export function jobMail(e: MailEvent, job: Job | null): { subject: string; text: string } {
  const name = e.runId ? `${e.runId} (${e.jobId})` : e.jobId;
  const what: Record<string, string> = {
    EXECUTING: 'has started',
    COMPLETED: 'has completed',
    ERROR: 'has failed',
    ABORTED: 'was aborted',
  };
  const lines = [`Your drsoda job ${name} ${what[e.phase] ?? `is now ${e.phase}`}.`, ''];
  if (e.jobUrl) lines.push(`Job: ${e.jobUrl}`);
  if (e.phase === 'COMPLETED' && e.jobUrl) lines.push(`Results (${job?.results.length ?? 0}): ${e.jobUrl}/results`);
  if (e.phase === 'ERROR' && job?.error) lines.push(`Why: ${job.error.message}`);
  if ((e.phase === 'ERROR' || e.phase === 'COMPLETED') && e.jobUrl) lines.push(`Step logs: ${e.jobUrl}/steps`);
  lines.push('', 'You get this message because the job was created with NOTIFY_EMAIL.');
  return { subject: `drsoda job ${name}: ${e.phase}`, text: lines.join('\n') + '\n' };
}
