import { finished, PassThrough, type Readable } from 'node:stream';

export interface GuardedBody {
  /** What the storage reads instead of the body; destroying it leaves the body alone. */
  stream: PassThrough;
  /** Aborted, with the cause as its reason, when the body fails or ends early. */
  signal: AbortSignal;
  /** Detaches from the body; call once the storage is done, whatever the outcome. */
  release(): void;
}

/**
 * Stands between a request body and a storage's writer. A writer that fails
 * (a full disk, a store that refuses) would otherwise destroy the body, and with
 * it the connection, before the server can answer; and writers that do not watch
 * their source's errors (the S3 SDK) would hang or crash on a client that goes
 * away. Here a failed or short body aborts the write, and the body itself is
 * never destroyed: the server can still answer its client.
 */
export function guardBody(body: Readable): GuardedBody {
  const stream = new PassThrough();
  const abort = new AbortController();
  const fail = (error: Error) => {
    if (!abort.signal.aborted) abort.abort(error);
    stream.destroy();
  };
  stream.on('error', () => undefined);
  // Also when the body failed before it got here (a client gone before its request reached the storage).
  const stopWatching = finished(body, { writable: false }, (error) => {
    if (error) fail(error);
  });
  body.pipe(stream);
  return {
    stream,
    signal: abort.signal,
    release() {
      stopWatching();
      body.unpipe(stream);
      stream.destroy();
    },
  };
}
