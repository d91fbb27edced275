import { closeSync, openSync, readSync } from 'node:fs';
import { isIPv4, isIPv6, type Socket } from 'node:net';
import { endianness } from 'node:os';
import type { Server } from 'node:http';

/**
 * Loopback connections from other OS users are refused (Linux). The kernel publishes the owner (uid) of every TCP
 * socket in /proc/net/tcp and /proc/net/tcp6; the peer's socket is the line whose local address is the peer's
 * address and port and whose remote address is ours. One read of one small file per connection, no cache.
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

/** The uid owning the other end of a loopback TCP connection, or null when it cannot be told (not Linux, not loopback). */
export function peerUid(socket: Socket): number | null {
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
    if (peer && us) line = findLine(file, ` ${peer} ${us} `);
    if (line) break;
  }
  if (line === null) return -1; // loopback but not listed: an owner we cannot vouch for
  // sl local rem st tx:rx tr:when retrnsmt uid … — after the two addresses: st, queues, timer, retransmits, uid.
  const uid = Number(line.trim().split(/\s+/)[6]);
  return Number.isInteger(uid) ? uid : -1;
}

const chunk = Buffer.alloc(64 * 1024);

/** The table line holding `needle`, reading the (kernel-generated) file only as far as needed. */
function findLine(file: string, needle: string): string | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    let text = '';
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
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
    closeSync(fd);
  }
}

export interface PeerCheckOptions {
  /** ANTON_ALLOW_OTHER_USERS=true: let any local user in (then a token is the only protection). */
  allowOtherUsers?: boolean;
  /** Told about each refused connection. */
  onRefused?: (info: { uid: number; remoteAddress: string; remotePort: number }) => void;
}

const installed = new WeakSet<Server>();

/**
 * Destroy every loopback connection whose peer socket belongs to another user (root excepted: it can read our
 * files anyway). Idempotent per server; a no-op off Linux and with `allowOtherUsers`.
 */
export function installPeerCheck(server: Server, opts: PeerCheckOptions = {}): void {
  if (opts.allowOtherUsers || process.platform !== 'linux' || installed.has(server)) return;
  installed.add(server);
  const me = process.getuid!();
  // prependListener: decide before any other 'connection' listener (the HTTP parser) sees the socket.
  server.prependListener('connection', (socket: Socket) => {
    const uid = peerUid(socket);
    if (uid === null || uid === me || uid === 0) return;
    opts.onRefused?.({ uid, remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 });
    socket.destroy();
  });
}
