import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connect as netConnect, type Socket } from 'node:net';
import { fail, ok, PROBE_TIMEOUT_MS, unreachable, type ProbeResult } from './result.js';

const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/** Read lines until one satisfies `done`; resolves with all text read. */
function readUntil(sock: Socket | TLSSocket, done: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const lines = buf.split('\r\n');
      if (lines.slice(0, -1).some(done)) {
        sock.off('data', onData);
        resolve(buf);
      }
    };
    sock.on('data', onData);
    sock.once('error', reject);
    sock.once('close', () => reject(Object.assign(new Error('connection closed'), { code: 'ECONNRESET' })));
  });
}

/** IMAP app-password sign-in (Gmail, Outlook): TLS on 993, STARTTLS on 143, then LOGIN and LOGOUT. */
export async function probeImap(v: Record<string, string>): Promise<ProbeResult> {
  const host = v.imap_host || (/@(outlook|hotmail|live)\./i.test(v.email ?? '') ? 'outlook.office365.com' : 'imap.gmail.com');
  const port = Number(v.imap_port || 993);
  const timer = setTimeout(() => sock?.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), PROBE_TIMEOUT_MS);
  let sock: Socket | TLSSocket | undefined;
  try {
    if (port === 993) {
      sock = tlsConnect({ host, port, servername: host });
      await readUntil(sock, (l) => /^\* (OK|PREAUTH)/.test(l));
    } else {
      const plain = netConnect({ host, port });
      sock = plain;
      await readUntil(plain, (l) => /^\* OK/.test(l));
      plain.write('a0 STARTTLS\r\n');
      const r = await readUntil(plain, (l) => l.startsWith('a0 '));
      if (!/a0 OK/.test(r)) return fail('The server does not offer STARTTLS on this port; use 993.', 'imap_port');
      sock = tlsConnect({ socket: plain, servername: host });
      await new Promise<void>((res, rej) => (sock as TLSSocket).once('secureConnect', res).once('error', rej));
    }
    sock.write(`a1 LOGIN ${quote(v.email ?? '')} ${quote(v.app_password ?? '')}\r\n`);
    const reply = await readUntil(sock, (l) => l.startsWith('a1 '));
    sock.write('a2 LOGOUT\r\n');
    if (/^a1 OK/m.test(reply)) return ok(`Signed in to ${host} as ${v.email}.`);
    return fail(`${host} refused the sign-in: use an app password (not your normal password), and check that IMAP is enabled.`, 'app_password');
  } catch (e) {
    return unreachable(e as { code?: string; message: string }, `${host}:${port}`, v.imap_host ? 'imap_host' : 'email');
  } finally {
    clearTimeout(timer);
    sock?.destroy();
  }
}
