import { randomUUID } from 'node:crypto';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type Docker from 'dockerode';
import protobuf from 'protobufjs';
import { DOCKER_HUB_DOMAIN } from '../image-reference/reference';
import type { RegistryAuth } from '../registry/credentials';

/** Registry credentials for a build, by registry host as image references name it (`docker.io` for Docker Hub). */
export type RegistryConfig = Record<string, RegistryAuth>;

/** The names BuildKit and the docker CLI use for Docker Hub: its registry host and its v1 index. */
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB_DOMAIN, 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/']);
/** Where the classic builder looks Docker Hub up in X-Registry-Config (registry.IndexServer). */
const DOCKER_HUB_INDEX_SERVER = 'https://index.docker.io/v1/';

const hostKey = (host: string) => (DOCKER_HUB_ALIASES.has(host.toLowerCase()) ? DOCKER_HUB_DOMAIN : host.toLowerCase());

/** What the session answers BuildKit's Credentials(host) with: that host's own credentials, else none (anonymous). */
export function sessionCredentials(config: RegistryConfig, host: string): { Username: string; Secret: string } {
  const key = Object.keys(config).find((k) => hostKey(k) === hostKey(host));
  const auth = key === undefined ? undefined : config[key];
  return auth ? { Username: auth.username, Secret: auth.password } : { Username: '', Secret: '' };
}

/** The X-Registry-Config the classic builder reads: keyed by registry host, Docker Hub by its index server. */
export function classicRegistryConfig(config: RegistryConfig): RegistryConfig | undefined {
  const entries = Object.entries(config).map(([host, auth]) => [hostKey(host) === DOCKER_HUB_DOMAIN ? DOCKER_HUB_INDEX_SERVER : host, auth] as const);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** Build secrets by id, as the session hands them to BuildKit. */
export type BuildSecrets = ReadonlyMap<string, Buffer>;

/** What the session answers BuildKit's GetSecret(id) with: that secret's bytes, or nothing (gRPC NOT_FOUND). */
export function sessionSecret(secrets: BuildSecrets, id: string): Buffer | undefined {
  return secrets.get(id);
}

// The services the session offers the daemon: moby's Auth (session/auth/auth.proto), BuildKit's
// Secrets (session/secrets/secrets.proto) and gRPC health, which BuildKit polls to keep the
// session open. Only the fields used are declared.
const root = protobuf.Root.fromJSON({
  nested: {
    CredentialsRequest: { fields: { Host: { type: 'string', id: 1 } } },
    CredentialsResponse: { fields: { Username: { type: 'string', id: 1 }, Secret: { type: 'string', id: 2 } } },
    GetSecretRequest: { fields: { ID: { type: 'string', id: 1 } } },
    GetSecretResponse: { fields: { data: { type: 'bytes', id: 1 } } },
    HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
    HealthCheckResponse: { fields: { status: { type: 'int32', id: 1 } } },
  },
});
const SERVING = 1;

function unary(path: string, request: string, response: string): grpc.MethodDefinition<Record<string, unknown>, Record<string, unknown>> {
  const [req, res] = [root.lookupType(request), root.lookupType(response)];
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (value) => Buffer.from(req.encode(req.fromObject(value)).finish()),
    requestDeserialize: (bytes) => req.toObject(req.decode(bytes), { defaults: true }),
    responseSerialize: (value) => Buffer.from(res.encode(res.fromObject(value)).finish()),
    responseDeserialize: (bytes) => res.toObject(res.decode(bytes), { defaults: true }),
  };
}

const AUTH = { Credentials: unary('/moby.filesync.v1.Auth/Credentials', 'CredentialsRequest', 'CredentialsResponse') };
const SECRETS = { GetSecret: unary('/moby.buildkit.secrets.v1.Secrets/GetSecret', 'GetSecretRequest', 'GetSecretResponse') };
const HEALTH = { Check: unary('/grpc.health.v1.Health/Check', 'HealthCheckRequest', 'HealthCheckResponse') };

export interface BuildSession {
  id: string;
  close(): void;
}

/**
 * A BuildKit session (POST /session, gRPC over the upgraded connection) through
 * which the engine's BuildKit asks for registry credentials, host by host, as
 * it does the docker CLI: BuildKit ignores the build's X-Registry-Config. A
 * host not in the config gets no credentials, so none is sent to another registry.
 * BuildKit asks for build secrets the same way, by id, for each
 * RUN --mount=type=secret step: a value goes only to the step that mounts it.
 */
export function openBuildSession(docker: Docker, config: RegistryConfig, secrets: BuildSecrets = new Map()): Promise<BuildSession> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        method: 'POST',
        path: '/session',
        hijack: true,
        headers: {
          Upgrade: 'h2c',
          'X-Docker-Expose-Session-Uuid': id,
          'X-Docker-Expose-Session-Name': 'imagewise',
          'X-Docker-Expose-Session-Grpc-Method': [AUTH.Credentials.path, SECRETS.GetSecret.path, HEALTH.Check.path],
        },
        statusCodes: { 200: true, 500: 'server error' },
      },
      (error, result) => {
        if (error) return reject(error);
        const socket = asPlainStream(result as Duplex);
        const server = new grpc.Server();
        server.addService(AUTH, {
          Credentials: (call: grpc.ServerUnaryCall<{ Host: string }, unknown>, callback: grpc.sendUnaryData<unknown>) =>
            callback(null, sessionCredentials(config, call.request.Host)),
        });
        server.addService(SECRETS, {
          GetSecret: (call: grpc.ServerUnaryCall<{ ID: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
            const data = sessionSecret(secrets, call.request.ID);
            // NOT_FOUND is what BuildKit takes as "no such secret" (an optional mount is then left out).
            if (data === undefined) callback({ code: grpc.status.NOT_FOUND, details: `no secret ${call.request.ID} in this build` });
            else callback(null, { data });
          },
        });
        server.addService(HEALTH, {
          Check: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, { status: SERVING }),
        });
        server.createConnectionInjector(grpc.ServerCredentials.createInsecure()).injectConnection(socket);
        resolve({
          id,
          close: () => {
            server.forceShutdown();
            socket.end();
          },
        });
      },
    );
  });
}

/**
 * The upgraded connection as a plain stream. Over TCP with TLS it is a
 * TLSSocket on which no ALPN was negotiated (alpnProtocol false), and Node's
 * HTTP/2 server drops such a connection as HTTP/1.1; the gRPC it carries is
 * h2c inside the TLS, so the server gets the decrypted bytes instead.
 */
export function asPlainStream(socket: Duplex): Duplex {
  if (!(socket instanceof TLSSocket)) return socket;
  const plain = new Duplex({
    read: () => socket.resume(),
    write: (chunk, encoding, done) => socket.write(chunk, encoding, done),
    final: (done) => socket.end(done),
    destroy: (error, done) => {
      socket.destroy(error ?? undefined);
      done(error);
    },
  });
  socket.on('data', (chunk) => plain.push(chunk) || socket.pause());
  socket.on('end', () => plain.push(null));
  socket.on('error', (error) => plain.destroy(error));
  socket.on('close', () => plain.destroy());
  return plain;
}
