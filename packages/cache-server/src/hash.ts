/**
 * Nx names entries by task hash: decimal digits today (a u64), hex in other
 * clients. Letters and digits only, so a hash is always one safe path segment
 * or object key: no `/`, `.`, `%` or NUL can reach the storage.
 */
const HASH = /^[A-Za-z0-9]{1,128}$/;

export function isValidHash(hash: string): boolean {
  return HASH.test(hash);
}

const ENTRY_PATH = /^\/v1\/cache\/([^/?#]*)$/;

/**
 * The raw hash segment of `/v1/cache/{hash}`, or undefined for any other path.
 * Not URL-decoded on purpose: `%2e%2e` stays invalid instead of becoming `..`.
 */
export function entryHashOf(pathname: string): string | undefined {
  return ENTRY_PATH.exec(pathname)?.[1];
}
