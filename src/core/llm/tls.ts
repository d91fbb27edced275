import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

let insecureAgent: HttpsAgent | undefined;

/** The keep-alive agent that skips certificate verification, for the streaming transport (made on first use). */
export function insecureHttpsAgent(): HttpsAgent {
  return (insecureAgent ??= new HttpsAgent({ keepAlive: true, rejectUnauthorized: false }));
}

/**
 * A fetch that skips TLS certificate verification, for ANTON_MINDS_SSL_VERIFY=false (a self-hosted Minds with a
 * self-signed certificate). Node's global fetch cannot be told to do this without an extra dependency, so this
 * speaks node:https directly; responses stream, which is all the LLM SDKs and the probes need.
 */
export const insecureFetch: typeof fetch = (input, init = {}) =>
  new Promise((resolve, reject) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: init.method ?? 'GET', headers, rejectUnauthorized: false, signal: init.signal ?? undefined }, (res) => {
      const out = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
      const status = res.statusCode ?? 502;
      const nullBody = status === 204 || status === 304 || init.method === 'HEAD';
      resolve(new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream), { status, statusText: res.statusMessage, headers: out }));
    });
    req.on('error', reject);
    const body = init.body;
    if (body === undefined || body === null) req.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
    else if (body instanceof ArrayBuffer) req.end(Buffer.from(body));
    else reject(new TypeError('insecureFetch: unsupported body type'));
  });

/** The fetch to use for an endpoint: the normal one, or the non-verifying one when verification is switched off. */
export function fetchFor(sslVerify: boolean): typeof fetch {
  return sslVerify ? fetch : insecureFetch;
}
