import { createHash, timingSafeEqual } from 'node:crypto';

export type Access = 'read-write' | 'read-only';

export interface AuthOptions {
  token?: string;
  readOnlyToken?: string;
  /** No authentication at all: everyone may read and write. */
  open?: boolean;
}

/** Maps an Authorization header to what its bearer may do; undefined when it may do nothing. */
export type Authorizer = (authorization: string | undefined) => Access | undefined;

export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

export function createAuthorizer(options: AuthOptions): Authorizer {
  const { token, readOnlyToken, open = false } = options;
  if (open) {
    if (token || readOnlyToken) throw new AuthConfigError('--open runs without authentication: drop --token and --read-only-token, or drop --open');
    return () => 'read-write';
  }
  if (!token && !readOnlyToken) {
    throw new AuthConfigError(
      'no token configured: set --token (IMAGEWISE_CACHE_TOKEN) for a shared cache, or pass --open (IMAGEWISE_CACHE_OPEN=true) to run without authentication, for local use only',
    );
  }
  if (token && token === readOnlyToken) throw new AuthConfigError('--token and --read-only-token must differ');
  const readWrite = token ? digest(token) : undefined;
  const readOnly = readOnlyToken ? digest(readOnlyToken) : undefined;
  return (authorization) => {
    const presented = bearerToken(authorization);
    if (presented === undefined) return undefined;
    // Digests have one length whatever the token's, so timingSafeEqual applies
    // and the time taken tells nothing about either token. Both are compared.
    const candidate = digest(presented);
    const isReadWrite = readWrite ? timingSafeEqual(candidate, readWrite) : false;
    const isReadOnly = readOnly ? timingSafeEqual(candidate, readOnly) : false;
    if (isReadWrite) return 'read-write';
    if (isReadOnly) return 'read-only';
    return undefined;
  };
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  return match?.[1];
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
