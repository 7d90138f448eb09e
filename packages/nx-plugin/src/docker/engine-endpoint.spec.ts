import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextDirName, DockerUnavailableError, resolveEngine, type EngineFiles } from './engine-endpoint';

const HOME = '/home/dev';
const CONFIG = join(HOME, '.docker');

/** A home directory in memory: path → text. */
function files(contents: Record<string, string> = {}): EngineFiles {
  return {
    home: HOME,
    user: 'dev',
    exists: (path) => path in contents,
    read: (path) => (path in contents ? Buffer.from(contents[path]) : undefined),
  };
}

const certs = (dir: string) => ({ [join(dir, 'ca.pem')]: 'CA', [join(dir, 'cert.pem')]: 'CERT', [join(dir, 'key.pem')]: 'KEY' });

function context(name: string, host: string, options: { tls?: boolean; skipTlsVerify?: boolean; configDir?: string } = {}): Record<string, string> {
  const dir = options.configDir ?? CONFIG;
  const meta = { Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: options.skipTlsVerify ?? false } } };
  return {
    [join(dir, 'contexts/meta', contextDirName(name), 'meta.json')]: JSON.stringify(meta),
    ...(options.tls ? certs(join(dir, 'contexts/tls', contextDirName(name), 'docker')) : {}),
  };
}

const failure = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected a DockerUnavailableError');
};

describe('resolveEngine: DOCKER_HOST', () => {
  it('a unix socket', () => {
    const engine = resolveEngine({ DOCKER_HOST: 'unix:///run/engine/docker.sock' }, files());
    expect(engine).toMatchObject({ address: 'unix:///run/engine/docker.sock', source: 'DOCKER_HOST', transport: 'unix' });
    expect(engine.options).toMatchObject({ socketPath: '/run/engine/docker.sock', host: undefined });
  });

  it("plain TCP, with the port given or Docker's 2375", () => {
    expect(resolveEngine({ DOCKER_HOST: 'tcp://docker:2375' }, files()).options).toMatchObject({ protocol: 'http', host: 'docker', port: 2375, ca: undefined });
    expect(resolveEngine({ DOCKER_HOST: 'tcp://docker' }, files()).options).toMatchObject({ protocol: 'http', port: 2375 });
    // As docker-modem: no scheme means tcp.
    expect(resolveEngine({ DOCKER_HOST: '10.0.0.5:2375' }, files()).options).toMatchObject({ protocol: 'http', host: '10.0.0.5', port: 2375 });
  });

  it('TLS from DOCKER_TLS_VERIFY (any non-empty value, as the docker CLI) with the certificates in DOCKER_CERT_PATH', () => {
    for (const verify of ['1', 'true', 'yes']) {
      const engine = resolveEngine(
        { DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: verify, DOCKER_CERT_PATH: '/certs/client' },
        files(certs('/certs/client')),
      );
      expect(engine.transport).toBe('tls');
      expect(engine.options).toMatchObject({ protocol: 'https', host: 'docker', port: 2376 });
      expect([engine.options.ca, engine.options.cert, engine.options.key].map(String)).toEqual(['CA', 'CERT', 'KEY']);
    }
  });

  it('TLS certificates default to the Docker config directory, and TLS to port 2376', () => {
    const engine = resolveEngine({ DOCKER_HOST: 'tcp://engine.example', DOCKER_TLS_VERIFY: '1' }, files(certs(CONFIG)));
    expect(engine.options).toMatchObject({ protocol: 'https', port: 2376 });
    expect(String(engine.options.ca)).toBe('CA');
  });

  it("port 2376 means TLS even without DOCKER_TLS_VERIFY (docker-modem's rule)", () => {
    expect(resolveEngine({ DOCKER_HOST: 'tcp://docker:2376' }, files()).options).toMatchObject({ protocol: 'https', ca: undefined });
  });

  it("refuses half a client certificate, naming the directory and never a file's contents", () => {
    const message = failure(() =>
      resolveEngine(
        { DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' },
        files({ '/certs/ca.pem': 'CA', '/certs/cert.pem': 'SECRET-CERT' }),
      ),
    );
    expect(message).toBe('DOCKER_CERT_PATH (/certs) has cert.pem but no key.pem: a client certificate needs both');
  });

  it("ssh, with ssh's defaults: port 22 and the local user; the agent, else a key in ~/.ssh", () => {
    const withAgent = resolveEngine({ DOCKER_HOST: 'ssh://builder@engine.example', SSH_AUTH_SOCK: '/tmp/agent.sock' }, files());
    expect(withAgent).toMatchObject({ transport: 'ssh', address: 'ssh://builder@engine.example' });
    expect(withAgent.options).toMatchObject({
      protocol: 'ssh',
      host: 'engine.example',
      port: 22,
      username: 'builder',
      sshOptions: { agent: '/tmp/agent.sock' },
    });
    const withKey = resolveEngine({ DOCKER_HOST: 'ssh://engine.example:2222' }, files({ [join(HOME, '.ssh/id_ed25519')]: 'PRIVATE' }));
    expect(withKey.options).toMatchObject({ port: 2222, username: 'dev' });
    expect(String(withKey.options.sshOptions?.privateKey)).toBe('PRIVATE');
    expect(withKey.check).toContain('ssh to dev@engine.example port 2222');
  });

  it('refuses an address the Engine API is not reached by', () => {
    expect(failure(() => resolveEngine({ DOCKER_HOST: 'https://docker:2376' }, files()))).toMatch(
      /^DOCKER_HOST is https:\/\/docker:2376, which has a scheme \(https:\) .*: use unix:\/\/\/path\/to\/docker.sock, tcp:\/\/HOST:PORT or ssh:\/\/USER@HOST\[:PORT\]$/,
    );
  });

  it('wins over DOCKER_CONTEXT and currentContext', () => {
    const home = files({ [join(CONFIG, 'config.json')]: '{"currentContext":"remote"}', ...context('remote', 'tcp://remote:2375') });
    expect(resolveEngine({ DOCKER_HOST: 'unix:///run/docker.sock', DOCKER_CONTEXT: 'remote' }, home).address).toBe('unix:///run/docker.sock');
  });
});

describe('resolveEngine: Docker contexts', () => {
  it("currentContext in the Docker config, with the context's TLS material", () => {
    const home = files({ [join(CONFIG, 'config.json')]: '{"auths":{},"currentContext":"remote"}', ...context('remote', 'tcp://10.1.2.3:2376', { tls: true }) });
    const engine = resolveEngine({}, home);
    expect(engine).toMatchObject({ address: 'tcp://10.1.2.3:2376', source: 'Docker context "remote"', transport: 'tls' });
    expect(engine.options).toMatchObject({ protocol: 'https', host: '10.1.2.3', port: 2376 });
    expect(String(engine.options.cert)).toBe('CERT');
    expect(engine.checkTls).toContain('docker context inspect remote');
  });

  it('DOCKER_CONTEXT over currentContext; DOCKER_CONFIG moves the store', () => {
    const home = files({
      '/cfg/config.json': '{"currentContext":"one"}',
      ...context('one', 'tcp://one:2375', { configDir: '/cfg' }),
      ...context('two', 'ssh://me@two', { configDir: '/cfg' }),
    });
    expect(resolveEngine({ DOCKER_CONFIG: '/cfg' }, home).address).toBe('tcp://one:2375');
    expect(resolveEngine({ DOCKER_CONFIG: '/cfg', DOCKER_CONTEXT: 'two' }, home)).toMatchObject({ address: 'ssh://me@two', transport: 'ssh' });
  });

  it('a context without TLS material speaks plain TCP; SkipTLSVerify means TLS without checking the daemon', () => {
    expect(resolveEngine({ DOCKER_CONTEXT: 'plain' }, files(context('plain', 'tcp://plain:2375'))).transport).toBe('tcp');
    expect(resolveEngine({ DOCKER_CONTEXT: 'lax' }, files(context('lax', 'tcp://lax:2376', { skipTlsVerify: true })))).toMatchObject({
      transport: 'tls',
      skipTlsVerify: true,
    });
  });

  it('"default" is the default socket', () => {
    expect(resolveEngine({ DOCKER_CONTEXT: 'default' }, files())).toMatchObject({ address: 'unix:///var/run/docker.sock', source: 'the default socket' });
  });

  it('names a context that is not in the store, and who named it', () => {
    expect(failure(() => resolveEngine({ DOCKER_CONTEXT: 'gone' }, files()))).toBe(
      `Docker context "gone" (DOCKER_CONTEXT) is not in ${CONFIG}/contexts: check the name (docker context ls), or set DOCKER_HOST`,
    );
    expect(failure(() => resolveEngine({}, files({ [join(CONFIG, 'config.json')]: '{"currentContext":"gone"}' })))).toContain(
      `(currentContext in ${CONFIG}/config.json) is not in`,
    );
  });
});

describe('resolveEngine: neither', () => {
  it("the system socket, or Docker Desktop's per-user one when it exists", () => {
    expect(resolveEngine({}, files()).options.socketPath).toBe('/var/run/docker.sock');
    expect(resolveEngine({}, files({ [join(HOME, '.docker/run/docker.sock')]: '' })).options.socketPath).toBe(join(HOME, '.docker/run/docker.sock'));
  });
});
