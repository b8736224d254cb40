// Docker for tests that need the real daemon. They fail, never skip, when no daemon answers: in CI
// (.ci/run starts dockerd) that is a broken machine, and locally it says what to start.
import Docker from 'dockerode';
import { createContainerClient, type ContainerClient } from '../../src/executor/container-client.js';
import { createLogger, type Logger } from '../../src/logger.js';

/** The container client drsoda itself uses, once the daemon has answered. */
export async function requireContainers(log: Logger = createLogger('silent')): Promise<ContainerClient> {
  const containers = createContainerClient({ log, timeouts: { pingMs: 5000 } });
  try {
    await containers.ping();
    return containers;
  } catch (err) {
    throw new Error(`this test needs a Docker daemon and none answers (${(err as Error).message}); .ci/run installs and starts dockerd`);
  }
}

/** Raw dockerode, for test set-up drsoda never does itself (building test images, inspecting from outside). */
export async function requireDocker(): Promise<Docker> {
  await requireContainers();
  return new Docker();
}
