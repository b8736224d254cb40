// Turns DOCKER_HOST into a dockerode connection; only the container client calls it.
import Docker from 'dockerode';

/** unix:///var/run/docker.sock, tcp://host:2375 (http) or tcp://host:2376 (https, DOCKER_TLS-style). Throws on other schemes. */
export function dockerFromHost(host: string | undefined): Docker {
  if (!host) return new Docker();
  const u = new URL(host);
  if (u.protocol === 'unix:') return new Docker({ socketPath: u.pathname });
  if (u.protocol === 'tcp:' || u.protocol === 'http:' || u.protocol === 'https:') {
    const port = Number(u.port || (u.protocol === 'https:' ? 2376 : 2375));
    return new Docker({ host: u.hostname, port, protocol: u.protocol === 'https:' || port === 2376 ? 'https' : 'http' });
  }
  throw new Error(`DOCKER_HOST ${host}: use unix://, tcp://, http:// or https://`);
}
