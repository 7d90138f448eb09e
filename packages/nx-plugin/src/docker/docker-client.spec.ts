import { describe, expect, it } from 'vitest';
import { DockerUnavailableError, engineGone, unreachable } from './docker-client';
import { resolveEngine } from './engine-endpoint';

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
    expect((said as Error).message).toMatch(
      /^the Docker daemon at unix:\/\/\/run\/engine\/docker\.sock \(DOCKER_HOST\) went away during the build .*it stopped or was killed; check it/,
    );
  });

  it('passes any other error through as it is', () => {
    const failedStep = new Error('RUN exit 3 failed');
    expect(engineGone(failedStep, env)).toBe(failedStep);
  });
});

describe('unreachable: one line, the address, what to check', () => {
  const files = { home: '/h', user: 'u', exists: () => true, read: () => Buffer.from('PEM') };
  const tls = resolveEngine({ DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, files);
  const plain = resolveEngine({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, files);
  const error = (code: string, message: string, more: object = {}) => Object.assign(new Error(message), { code, ...more });

  it('a daemon certificate that the CA does not vouch for', () => {
    expect(unreachable(error('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), tls).message).toBe(
      "TLS with the Docker daemon at tcp://127.0.0.1:2376 (DOCKER_HOST) failed (unable to verify the first certificate): check that DOCKER_CERT_PATH (/certs: ca.pem, cert.pem, key.pem) holds the CA that signed the daemon's certificate and a client certificate it accepts",
    );
  });

  it("a client certificate the daemon refuses, in OpenSSL's words without its file and line", () => {
    const refused = error(
      'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
      '40A8:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1605:\nSSL alert number 42\n',
    );
    expect(unreachable(refused, tls).message).toMatch(
      /^TLS with the Docker daemon at tcp:\/\/127\.0\.0\.1:2376 \(DOCKER_HOST\) failed \(sslv3 alert bad certificate\): check that DOCKER_CERT_PATH/,
    );
  });

  it('plain HTTP to a TLS port, and TLS to a plain one', () => {
    const http = Object.assign(new Error('(HTTP code 400) unexpected - Client sent an HTTP request to an HTTPS server.'), { statusCode: 400 });
    expect(unreachable(http, plain).message).toMatch(
      /^the Docker daemon at tcp:\/\/127\.0\.0\.1:2375 \(DOCKER_HOST\) speaks TLS only: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH/,
    );
    expect(unreachable(error('ERR_SSL_WRONG_VERSION_NUMBER', 'x:SSL routines:ssl3_get_record:wrong version number:y'), tls).message).toMatch(
      /does not speak TLS there \(wrong version number\)/,
    );
  });

  it('nothing listening, and something that is not a Docker daemon', () => {
    expect(unreachable(error('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:2375'), plain).message).toBe(
      'cannot reach the Docker daemon at tcp://127.0.0.1:2375 (DOCKER_HOST) (connect ECONNREFUSED 127.0.0.1:2375): check that the daemon listens on 127.0.0.1 port 2375 and nothing blocks the way (DOCKER_HOST)',
    );
    expect(unreachable(Object.assign(new Error('(HTTP code 404) unexpected - '), { statusCode: 404 }), plain).message).toMatch(
      /answers HTTP 404, not as a Docker daemon: check/,
    );
  });

  it('ssh refusing every key', () => {
    const ssh = resolveEngine({ DOCKER_HOST: 'ssh://ci@builder:2222', SSH_AUTH_SOCK: '/agent' }, files);
    expect(unreachable(Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }), ssh).message).toBe(
      'ssh to the Docker daemon at ssh://ci@builder:2222 (DOCKER_HOST) refused every key offered (All configured authentication methods failed): check that ssh to ci@builder port 2222 works with a key in ssh-agent (SSH_AUTH_SOCK) or ~/.ssh, and that `docker system dial-stdio` runs there (DOCKER_HOST)',
    );
  });
});
