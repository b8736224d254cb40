// A Docker client for tests that need the real daemon. It fails the test, never skips it, when no daemon
// answers: in CI (.ci/run starts dockerd) that is a broken machine, and locally it says what to start.
import Docker from 'dockerode';
import { withDeadline } from '../../src/executor/docker-common.js';

export async function requireDocker(): Promise<Docker> {
  const docker = new Docker();
  try {
    await withDeadline(docker.ping(), 5000, 'docker ping');
    return docker;
  } catch (err) {
    throw new Error(`this test needs a Docker daemon and none answers (${(err as Error).message}); .ci/run installs and starts dockerd`);
  }
}
