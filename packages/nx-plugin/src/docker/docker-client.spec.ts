import { describe, expect, it } from 'vitest';
import { DockerUnavailableError, engineGone } from './docker-client';

describe('engineGone', () => {
  const env = { DOCKER_HOST: 'unix:///run/engine/docker.sock' };

  it.each([
    ['the engine\'s "aborted"', new Error('aborted')],
    ['"socket hang up"', new Error('socket hang up')],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a socket that is gone', Object.assign(new Error('connect ENOENT /run/engine/docker.sock'), { code: 'ENOENT' })],
  ])('says the daemon went away, and where, for %s', (_what, error) => {
    const said = engineGone(error, env);
    expect(said).toBeInstanceOf(DockerUnavailableError);
    expect((said as Error).message).toMatch(/^the Docker daemon at unix:\/\/\/run\/engine\/docker\.sock went away during the build .*it stopped or was killed; check it/);
  });

  it('passes any other error through as it is', () => {
    const failedStep = new Error('RUN exit 3 failed');
    expect(engineGone(failedStep, env)).toBe(failedStep);
  });
});
