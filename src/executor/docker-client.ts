// A dockerode client for DOCKER_HOST (unix socket, tcp or ssh-less remote), with a bounded ping.
import Docker from 'dockerode';
import { withDeadline } from './docker-common.js';

/** unix:///var/run/docker.sock, tcp://host:2375 (http) or tcp://host:2376 (https, DOCKER_TLS-style). */
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

/** True when the daemon answers within timeoutMs. */
export async function dockerAnswers(docker: Docker, timeoutMs = 3000): Promise<boolean> {
  try {
    await withDeadline(docker.ping(), timeoutMs, 'docker ping');
    return true;
  } catch {
    return false;
  }
}

/** The image's id (content digest), or null when the daemon does not have it. */
export async function imageId(docker: Docker, image: string): Promise<string | null> {
  try {
    const info = await withDeadline(docker.getImage(image).inspect(), 10000, 'docker image inspect');
    return info.Id;
  } catch {
    return null;
  }
}
