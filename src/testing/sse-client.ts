/** Reads an SSE response the way the Cowork client does: split on "\n\n", first `data:` line, JSON. */
export interface SseRead {
  raw: string;
  frames: (Record<string, unknown> & { type: string; sequence_number?: number })[];
  status: number;
  headers: Headers;
}

export async function readSse(res: Response, opts: { stopAfter?: (frame: Record<string, unknown> & { type: string }) => boolean } = {}): Promise<SseRead> {
  const frames: SseRead['frames'] = [];
  let raw = '';
  let buf = '';
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  outer: for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = dec.decode(value, { stream: true });
    raw += text;
    buf += text;
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block.split('\n').find((l) => l.startsWith('data:'));
      if (!data) continue;
      const frame = JSON.parse(data.slice(5).trim());
      frames.push(frame);
      if (opts.stopAfter?.(frame)) {
        await reader.cancel();
        break outer;
      }
    }
  }
  return { raw, frames, status: res.status, headers: res.headers };
}

export function postJson(url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
}
