import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { daemonHasBuildKit } from './build-image';

const engine = (version: object) => ({ version: async () => version }) as unknown as Docker;

describe('daemonHasBuildKit', () => {
  it('dockerd 18.09 or later on Linux has it', async () => {
    expect(await daemonHasBuildKit(engine({ ApiVersion: '1.41', Os: 'linux', Components: [{ Name: 'Engine' }] }))).toBe(true);
    expect(await daemonHasBuildKit(engine({ ApiVersion: '1.38', Os: 'linux' }))).toBe(false);
    expect(await daemonHasBuildKit(engine({ ApiVersion: '1.41', Os: 'windows' }))).toBe(false);
  });

  it("Podman's Docker-compatible API does not, whatever API version it reports (it has no /session)", async () => {
    // What Debian 12's `podman system service` answers to GET /version.
    const podman = { ApiVersion: '1.41', Os: 'linux', Version: '4.3.1', Components: [{ Name: 'Podman Engine', Version: '4.3.1' }, { Name: 'Conmon' }] };
    expect(await daemonHasBuildKit(engine(podman))).toBe(false);
  });
});
