import { open } from 'node:fs/promises';
import { isIPv4, isIPv6, type Socket } from 'node:net';
import { endianness } from 'node:os';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Loopback connections from other OS users are refused (Linux). The kernel publishes the owner (uid) of every TCP
 * socket in /proc/net/tcp and /proc/net/tcp6; the peer's socket is the line whose local address is the peer's
 * address and port and whose remote address is ours. One pass over one file per connection, no cache. The kernel
 * builds that file by walking its whole connection hash table (milliseconds on a large machine), so it is read off
 * the event loop, and no request of the connection is handled before the verdict.
 */

const LITTLE = endianness() === 'LE';

/** An address as /proc/net/tcp{,6} prints it: 32-bit words in host byte order, upper-case hex; port in hex. */
function procAddress(ip: string, port: number): string | null {
  let bytes: number[];
  if (isIPv4(ip)) bytes = ip.split('.').map(Number);
  else if (isIPv6(ip)) bytes = ipv6Bytes(ip);
  else return null;
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const word = bytes.slice(i, i + 4);
    if (LITTLE) word.reverse();
    out += word.map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  return `${out.toUpperCase()}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail.push(...v4[1].split('.').map(Number));
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [head, rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The uid owning the other end of a loopback TCP connection; null when it cannot be told (not Linux, not loopback);
 * -1 for a loopback peer that no live socket owns (not listed, or already closed by its owner).
 */
export async function peerUid(socket: Socket): Promise<number | null> {
  if (process.platform !== 'linux') return null;
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  if (!remoteAddress || !remotePort || !localAddress || !localPort || !LOOPBACK.test(remoteAddress)) return null;
  // An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d here, but its own socket is an IPv4 one.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;
  const candidates: [string, string, string][] = [];
  const v4peer = mapped.exec(remoteAddress)?.[1];
  const v4us = mapped.exec(localAddress)?.[1] ?? localAddress;
  if (v4peer && isIPv4(v4us)) candidates.push(['/proc/net/tcp', v4peer, v4us]);
  candidates.push([isIPv4(remoteAddress) ? '/proc/net/tcp' : '/proc/net/tcp6', remoteAddress, localAddress]);
  let line: string | null = null;
  for (const [file, peerIp, ourIp] of candidates) {
    const peer = procAddress(peerIp, remotePort);
    const us = procAddress(ourIp, localPort);
    if (peer && us) line = await findLine(file, ` ${peer} ${us} `);
    if (line) break;
  }
  return line === null ? -1 : ownerOf(line); // loopback but not listed: an owner we cannot vouch for
}

/**
 * The uid of a /proc/net/tcp line cut at its local address: `local rem st tx:rx tr:when retrnsmt uid timeout inode …`.
 * A socket its owner has closed (inode 0: an orphan, or a time-wait entry, which the kernel lists as uid 0) has no
 * owner to vouch for: -1, so a client cannot pass as root by closing its end before the check reads the table.
 */
export function ownerOf(line: string): number {
  const fields = line.trim().split(/\s+/);
  const uid = Number(fields[6]);
  const inode = Number(fields[8]);
  return Number.isInteger(uid) && Number.isInteger(inode) && inode !== 0 ? uid : -1;
}

/** The table line holding `needle`, reading the (kernel-generated) file only as far as needed. */
async function findLine(file: string, needle: string): Promise<string | null> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, 'r');
  } catch {
    return null;
  }
  try {
    // The kernel generates the table only as far as each read asks, walking its hash table in order: small reads
    // first, so a line near the top costs little, then larger ones, so a long table does not cost a read per line.
    const chunk = Buffer.alloc(64 * 1024);
    let size = 1024;
    let text = '';
    for (;; size = Math.min(size * 2, chunk.length)) {
      const { bytesRead: n } = await fh.read(chunk, 0, size, null);
      if (n <= 0) return null;
      text += chunk.toString('latin1', 0, n);
      const at = text.indexOf(needle);
      if (at !== -1) {
        const end = text.indexOf('\n', at);
        if (end !== -1) return text.slice(at, end);
        continue; // the rest of the line is in the next read
      }
      text = text.slice(text.lastIndexOf('\n') + 1); // keep only a partial last line
    }
  } finally {
    await fh.close();
  }
}

export interface PeerCheckOptions {
  /** ANTON_ALLOW_OTHER_USERS=true: let any local user in (then a token is the only protection). */
  allowOtherUsers?: boolean;
  /** Told about each refused connection. */
  onRefused?: (info: { uid: number; remoteAddress: string; remotePort: number }) => void;
}

/**
 * Marks a server that has the check. A global symbol, not a module-level set: the early step (an ES module) and the
 * server bundle (CommonJS, server-loader.ts) each hold their own copy of this module, and both install the check on
 * the same server; a second check would read the kernel's table a second time for every connection.
 */
const INSTALLED = Symbol.for('anton.peer-check');

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Refuse every loopback connection whose peer socket belongs to another user (root excepted: it can read our files
 * anyway): it is destroyed, and none of its requests is handled. The check runs off the event loop while the request
 * is parsed; the server's request listeners (those present now: install this right after creating the server) run
 * behind a gate that waits for the connection's verdict. A socket handed over paused (`emit('connection')` from an
 * acceptor or a supervisor) is resumed here, once the HTTP parser has it. With `allowOtherUsers`, and off Linux,
 * every connection is let in at once. Idempotent per server.
 */
export function installPeerCheck(server: Server, opts: PeerCheckOptions = {}): void {
  const marked = server as Server & { [INSTALLED]?: true };
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;
  const check = !opts.allowOtherUsers && process.platform === 'linux';
  const me = check ? process.getuid!() : -1;
  /** Each connection's verdict: true once let in, the pending check until then. */
  const verdicts = new WeakMap<Socket, true | Promise<boolean>>();
  const judge = async (socket: Socket): Promise<boolean> => {
    const uid = await peerUid(socket);
    if (uid === null || uid === me || uid === 0) {
      verdicts.set(socket, true);
      return true;
    }
    opts.onRefused?.({ uid, remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 });
    socket.destroy();
    return false;
  };
  // First of the 'connection' listeners: the check starts before the HTTP parser (the next listener) sees the socket.
  server.prependListener('connection', (socket: Socket) => {
    verdicts.set(socket, check ? judge(socket).catch(() => (socket.destroy(), false)) : true);
  });
  server.on('connection', (socket: Socket) => socket.resume());
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const handle = () => {
      for (const fn of handlers) fn.call(server, req, res);
    };
    const verdict = verdicts.get(req.socket);
    if (verdict === true) handle();
    else if (verdict) void verdict.then((ok) => ok && handle());
    else req.socket.destroy(); // a connection that did not come through the check (cannot happen): fail closed
  });
}
