import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/**
 * Send bytes exactly as given (no client-side path normalisation) and read the whole reply. The request must ask for
 * `connection: close`: the reply ends when the server closes. (The client does not half-close after sending, as a
 * browser or curl never does: Node's HTTP server drops a request whose client half-closed before it was answered.)
 */
export function rawHttp(port: number, request: string | Buffer, host = '127.0.0.1'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const s = connect(port, host, () => s.write(request));
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: split === -1 ? '' : text.slice(split + 4) });
    });
  });
}

/** A GET with a verbatim request target (may be absolute-form or percent-encoded). */
export function rawGet(port: number, target: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const lines = Object.entries({ host: `127.0.0.1:${port}`, connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
  return rawHttp(port, `GET ${target} HTTP/1.1\r\n${lines.join('')}\r\n`);
}
