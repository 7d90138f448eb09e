import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Makes this answer the connection's last when the request's body has not
 * arrived: the body is never read. A refused client (no token, a read-only
 * token, too large) could otherwise send gigabytes to be read and thrown away,
 * and a failed storage would have to swallow the rest of an upload it cannot
 * hold. `Connection: close` tells the client, and the socket is destroyed
 * once the answer is out, so nothing more is read from it.
 */
export function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!bodyMayFollow(req)) return;
  res.setHeader('connection', 'close');
  const socket = req.socket;
  res.once('finish', () => socket.destroy());
}

function bodyMayFollow(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
