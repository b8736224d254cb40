// Sends tables and spectra to desktop tools (TOPCAT, Aladin, SPLAT…) through a SAMP hub's Web Profile
// (http://localhost:21012), with sampjs, the Web Profile client by SAMP's author (bundled by Vite, no CDN). The
// hub asks its user once to accept the web page. The desktop tool fetches the URL it is sent itself, so it
// must be one it can read without the page's credentials.
import sampjs, { type SampConnection } from 'sampjs';

const { samp } = sampjs;

/** A message type and the clients subscribed to it, by id and name. */
export interface SampTarget {
  id: string;
  name: string;
  mtype: string;
}

export interface SampSend {
  url: string;
  name: string;
  /** table.load.votable (TOPCAT, Aladin) is preferred; spectrum.load.ssa-generic for spectrum tools (SPLAT). */
  kind: 'votable';
}

let connection: SampConnection | null = null;

const promise = <T>(call: (ok: (r: T) => void, err: (e: unknown) => void) => void, what: string, ms = 120_000) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the SAMP hub did not answer ${what} within ${ms / 1000} s`)), ms);
    call(
      (r) => {
        clearTimeout(timer);
        resolve(r);
      },
      (e) => {
        clearTimeout(timer);
        reject(new Error(`SAMP ${what}: ${e instanceof Error ? e.message : String((e as { faultString?: string })?.faultString ?? e)}`));
      },
    );
  });

/** True when a hub with the Web Profile answers. */
export const hubRunning = () => promise<boolean>((ok) => samp.ping(ok), 'ping', 10_000);

async function connect(): Promise<SampConnection> {
  if (connection && !connection.closed) return connection;
  if (!(await hubRunning())) throw new Error('no SAMP hub is running: start TOPCAT (or another hub with the Web Profile) and try again');
  // The hub asks its user to accept the page: allow time for that.
  const c = await promise<SampConnection>((ok, err) => samp.register('drsoda', ok, err), 'registration');
  await promise((ok, err) => c.declareMetadata([{ 'samp.name': 'drsoda', 'samp.description.text': 'drsoda reduced 2dF-AAOmega spectra' }], ok, err), 'metadata');
  connection = c;
  addEventListener('pagehide', () => c.close());
  return c;
}

/** The clients that take the message, with their names. */
async function subscribers(c: SampConnection, mtype: string): Promise<SampTarget[]> {
  const subs = await promise<Record<string, unknown>>((ok, err) => c.getSubscribedClients([mtype], ok, err), 'subscriptions');
  return Promise.all(
    Object.keys(subs).map(async (id) => {
      const meta = await promise<Record<string, string>>((ok, err) => c.getMetadata([id], ok, err), 'metadata').catch(() => ({}) as Record<string, string>);
      return { id, name: meta['samp.name'] ?? id, mtype };
    }),
  );
}

/**
 * Sends a VOTable URL to every client that loads tables (table.load.votable) or, for those that do not, spectra
 * (spectrum.load.ssa-generic). Returns the names of the clients it went to.
 */
export async function sendVotable(s: SampSend): Promise<string[]> {
  const c = await connect();
  const tables = await subscribers(c, 'table.load.votable');
  const spectra = (await subscribers(c, 'spectrum.load.ssa-generic')).filter((x) => !tables.some((t) => t.id === x.id));
  if (!tables.length && !spectra.length) throw new Error('no desktop tool on the SAMP hub takes tables or spectra: start TOPCAT and try again');
  for (const t of tables) {
    await promise((ok, err) => c.notify([t.id, new samp.Message('table.load.votable', { url: s.url, name: s.name, 'table-id': s.url })], ok, err), 'table.load.votable');
  }
  for (const t of spectra) {
    const meta = { 'Access.Reference': s.url, 'Access.Format': 'application/x-votable+xml', 'Target.Name': s.name };
    await promise((ok, err) => c.notify([t.id, new samp.Message('spectrum.load.ssa-generic', { url: s.url, name: s.name, meta })], ok, err), 'spectrum.load.ssa-generic');
  }
  return [...tables, ...spectra].map((t) => t.name);
}
