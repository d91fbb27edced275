import { z } from 'zod';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { lazyToolInput, type ToolDef } from '../agent/tools.js';

/** Tool input schemas, converted to JSON Schema once, on first use. */
const WEB_FETCH_INPUT = lazyToolInput(() => z.object({ url: z.string(), max_chars: z.int().optional() }));

const WEB_SEARCH_INPUT = lazyToolInput(() => z.object({ query: z.string(), max_results: z.int().optional() }));

/** Loopback, private, link-local, CGNAT, multicast and unspecified ranges: never fetched on the model's behalf. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || a >= 224;
  }
  const v6 = ip.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivateAddress(v6.slice(7));
  return v6 === '::' || v6 === '::1' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80') || v6.startsWith('ff');
}

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  allowPrivate: boolean;
}

async function assertPublic(url: URL, allowPrivate: boolean): Promise<void> {
  if (!['http:', 'https:'].includes(url.protocol)) throw new Error('Only http and https URLs can be fetched.');
  if (allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addrs = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  if (addrs.some(isPrivateAddress)) throw new Error(`Refusing to fetch ${url.hostname}: it resolves to a private or local address.`);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** HTML → readable text: scripts, styles and markup dropped, blocks become line breaks. */
export function htmlToText(html: string): { title: string; text: string } {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1]?.trim() ?? '';
  const text = html
    .replace(/<(script|style|noscript|svg|head|title)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<(br|\/p|\/div|\/h[1-6]|\/li|\/tr|\/section|\/article)[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (m, e: string) =>
      e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e.toLowerCase()] ?? m),
    )
    .replace(/[ \t\f\v]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { title, text };
}

/** GET a page (redirects followed by hand, each hop re-checked), capped in size and time. */
export async function fetchReadable(raw: string, limits: FetchLimits): Promise<{ url: string; title: string; text: string; truncated: boolean }> {
  let url = new URL(raw);
  for (let hop = 0; hop < 5; hop++) {
    await assertPublic(url, limits.allowPrivate);
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(limits.timeoutMs), headers: { 'user-agent': 'AntonCowork/1 (+local agent)', accept: 'text/html,text/plain,application/json;q=0.9,*/*;q=0.5' } });
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      await res.body?.cancel();
      url = new URL(res.headers.get('location')!, url);
      continue;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${url.host}`);
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    let truncated = false;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
      if (size > limits.maxBytes) {
        truncated = true;
        await reader.cancel();
        break;
      }
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const type = res.headers.get('content-type') ?? '';
    const page = /html/i.test(type) || /^\s*</.test(body) ? htmlToText(body) : { title: '', text: body };
    return { url: url.toString(), ...page, truncated };
  }
  throw new Error('Too many redirects.');
}

export function webFetchTool(limits: FetchLimits): ToolDef {
  return {
    name: 'web_fetch',
    description: 'Fetch a public web page (http/https GET) and return its readable text.',
    inputSchema: WEB_FETCH_INPUT(),
    handler: async (input) => {
      try {
        const r = await fetchReadable(String(input.url ?? ''), limits);
        const max = Math.min(Number(input.max_chars ?? 20_000) || 20_000, 100_000);
        const text = r.text.length > max ? `${r.text.slice(0, max)}\n… (truncated)` : r.text;
        return `URL: ${r.url}\nTitle: ${r.title}\n\n${text}${r.truncated ? '\n… (page larger than the download limit)' : ''}`;
      } catch (e) {
        return { content: `Could not fetch ${String(input.url)}: ${(e as Error).message}`, isError: true };
      }
    },
  };
}

export interface SearchConfig {
  provider: 'brave' | 'tavily' | 'searxng';
  apiKey?: string;
  url?: string;
}

interface Hit {
  title: string;
  url: string;
  snippet: string;
}

/** A search provider's HTTP status, said plainly (a bad key must not read as "No results."). */
async function searchJson(res: Response, provider: string): Promise<unknown> {
  if (res.ok) return res.json();
  await res.body?.cancel();
  if (res.status === 401 || res.status === 403) throw new Error(`${provider} rejected the API key (HTTP ${res.status}). Check ANTON_WEB_SEARCH_API_KEY.`);
  if (res.status === 429) throw new Error(`${provider} is rate limiting searches (HTTP 429); try again later.`);
  throw new Error(`${provider} answered HTTP ${res.status}.`);
}

/** One web search through the configured provider. */
export async function webSearch(cfg: SearchConfig, query: string, max: number): Promise<Hit[]> {
  const signal = AbortSignal.timeout(15_000);
  if (cfg.provider === 'brave') {
    const u = new URL(cfg.url ?? 'https://api.search.brave.com/res/v1/web/search');
    u.searchParams.set('q', query);
    u.searchParams.set('count', String(max));
    const res = await fetch(u, { headers: { 'X-Subscription-Token': cfg.apiKey ?? '', accept: 'application/json' }, signal });
    const r = (await searchJson(res, 'Brave Search')) as { web?: { results?: { title: string; url: string; description: string }[] } };
    return (r.web?.results ?? []).slice(0, max).map((x) => ({ title: x.title, url: x.url, snippet: x.description }));
  }
  if (cfg.provider === 'tavily') {
    const res = await fetch(cfg.url ?? 'https://api.tavily.com/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: cfg.apiKey, query, max_results: max }), signal });
    const r = (await searchJson(res, 'Tavily')) as { results?: { title: string; url: string; content: string }[] };
    return (r.results ?? []).slice(0, max).map((x) => ({ title: x.title, url: x.url, snippet: x.content }));
  }
  const u = new URL('/search', cfg.url);
  u.searchParams.set('q', query);
  u.searchParams.set('format', 'json');
  const r = (await searchJson(await fetch(u, { signal }), 'SearXNG')) as { results?: { title: string; url: string; content: string }[] };
  return (r.results ?? []).slice(0, max).map((x) => ({ title: x.title, url: x.url, snippet: x.content }));
}

export function webSearchTool(cfg: SearchConfig): ToolDef {
  return {
    name: 'web_search',
    description: 'Search the web. Returns titles, URLs and snippets; use web_fetch to read a page.',
    inputSchema: WEB_SEARCH_INPUT(),
    handler: async (input) => {
      try {
        const hits = await webSearch(cfg, String(input.query ?? ''), Math.min(Number(input.max_results ?? 5) || 5, 20));
        return hits.length ? hits.map((h, i) => `${i + 1}. ${h.title}\n   ${h.url}\n   ${h.snippet}`).join('\n') : 'No results.';
      } catch (e) {
        return { content: `Search failed: ${(e as Error).message}`, isError: true };
      }
    },
  };
}
