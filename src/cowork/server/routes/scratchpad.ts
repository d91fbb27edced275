import { join } from 'node:path';
import { z } from 'zod';
import { PadLimitError } from '../../../core/scratchpad/manager.js';
import type { Pad } from '../../../core/scratchpad/pad.js';
import { HttpError, notFound } from '../errors.js';
import { pythonStatus } from '../../../core/scratchpad/python.js';
import { API_SCOPE, kernelEnv, safePadName } from '../services/scratchpads.js';
import { openSse } from '../services/sse.js';
import { resolveRole } from '../../../core/settings/providers.js';
import type { ServerServices } from '../server-services.js';
import { routeGroup } from './types.js';
import type { ScratchpadStreamFrame } from '../schemas/frames.js';

const Name = z.object({ name: z.string().default('default') });
const Exec = Name.extend({
  code: z.string(),
  description: z.string().default(''),
  estimated_time: z.string().default(''),
  estimated_seconds: z.number().default(0),
});

/**
 * The coding LLM a `/v1/scratchpad/start` caller asks for, as the reference's child environment carries it:
 * provider and model (defaulting to the coding role), and the key and endpoint only when the caller supplies them
 * (the server's own keys never reach user code).
 */
function codingEnv(ctx: Pick<ServerServices, 'env'>, b: { coding_provider: string; coding_model: string; coding_api_key: string; coding_base_url: string }): Record<string, string> {
  const role = resolveRole(ctx.env, 'coding');
  const provider = b.coding_provider.trim() || role.provider;
  const out: Record<string, string> = { ANTON_SCRATCHPAD_PROVIDER: provider, ANTON_SCRATCHPAD_MODEL: b.coding_model.trim() || role.model };
  const vendor = provider === 'anthropic' ? 'ANTHROPIC' : 'OPENAI';
  if (b.coding_api_key.trim()) out[`${vendor}_API_KEY`] = b.coding_api_key.trim();
  if (b.coding_base_url.trim()) out[`${vendor}_BASE_URL`] = b.coding_base_url.trim();
  return out;
}

/** Direct REPL control (§2.5): pads in the "api" scope, capped by ANTON_SERVER_MAX_PADS. */
export const scratchpadRoutes = routeGroup(['env', 'kernelSecrets', 'log', 'pads', 'paths'], (app, ctx) => {
  const pads = ctx.pads;
  const mustGet = (name: string, hint = true): Pad => {
    const pad = pads.get(API_SCOPE, safePadName(name));
    if (!pad) throw notFound(hint ? `Scratchpad '${name}' not found. Call /v1/scratchpad/start first.` : `Scratchpad '${name}' not found.`);
    return pad;
  };

  app.post(
    '/v1/scratchpad/start',
    { schema: { tags: ['scratchpad'], body: Name.extend({ coding_provider: z.string().default(''), coding_model: z.string().default(''), coding_api_key: z.string().default(''), coding_base_url: z.string().default('') }).default({ name: 'default', coding_provider: '', coding_model: '', coding_api_key: '', coding_base_url: '' }) } },
    async (req) => {
      const name = safePadName(req.body.name);
      let pad: Pad;
      try {
        pad = pads.getOrCreate(
          API_SCOPE,
          name,
          { cwd: ctx.paths.home, env: { ...kernelEnv(ctx.env, ctx.paths.home, ctx.kernelSecrets(null)), ...codingEnv(ctx, req.body) }, venvDir: join(ctx.paths.antonHome, 'scratchpad-venvs', name) },
          ctx.env.setting('ANTON_SERVER_MAX_PADS'),
        );
      } catch (err) {
        if (err instanceof PadLimitError) throw new HttpError(429, err.message);
        throw err;
      }
      try {
        await pad.start();
      } catch (err) {
        await pads.remove(API_SCOPE, name);
        const python = pythonStatus(ctx.env.setting('ANTON_PYTHON'));
        throw new HttpError(503, python.ok ? (err as Error).message : python.error!);
      }
      return { status: 'started', name: req.body.name };
    },
  );

  app.post('/v1/scratchpad/execute', { schema: { tags: ['scratchpad'], body: Exec } }, async (req) => {
    const b = req.body;
    const cell = await mustGet(b.name).execute(b.code, { description: b.description, estimatedTime: b.estimated_time, estimatedSeconds: b.estimated_seconds });
    return { cell };
  });

  app.post('/v1/scratchpad/execute-stream', { schema: { tags: ['scratchpad'], body: Exec } }, async (req, reply) => {
    const b = req.body;
    const pad = mustGet(b.name);
    const sse = openSse(reply);
    const send = (frame: ScratchpadStreamFrame) => sse.sendData(frame);
    try {
      const cell = await pad.execute(b.code, {
        description: b.description,
        estimatedTime: b.estimated_time,
        estimatedSeconds: b.estimated_seconds,
        onProgress: (message) => send({ type: 'progress', message }),
      });
      send({ type: 'cell', cell: { ...cell } });
    } catch (err) {
      ctx.log.error({ err }, 'scratchpad execute-stream failed');
      send({ type: 'error', error: 'Execution failed' });
    }
    sse.end();
    return reply;
  });

  // The pad is looked up first (404 for an unknown pad, whatever the list), as in the reference.
  app.post('/v1/scratchpad/install', { schema: { tags: ['scratchpad'], body: Name.extend({ packages: z.array(z.string().min(1)) }) } }, async (req) => {
    const pad = mustGet(req.body.name, false);
    return { result: req.body.packages.length ? await pad.install(req.body.packages) : 'No packages to install.' };
  });

  app.post('/v1/scratchpad/reset', { schema: { tags: ['scratchpad'], body: Name.default({ name: 'default' }) } }, async (req) => {
    await mustGet(req.body.name).reset();
    return { status: 'reset', name: req.body.name };
  });

  // The UI's Stop button sends the pad name from the live step: that may be an agent pad of any conversation.
  app.post('/v1/scratchpad/cancel', { schema: { tags: ['scratchpad'], body: z.object({ name: z.string() }) } }, async (req) => {
    const name = safePadName(req.body.name);
    const known = pads.list().some((p) => p.name === name);
    if (!known) throw notFound(`Scratchpad '${req.body.name}' not found.`);
    pads.cancelByName(name);
    return { status: 'cancelled', name: req.body.name };
  });

  for (const [path, key, render] of [
    ['view', 'view', (p: Pad) => p.view()],
    ['notebook', 'notebook', (p: Pad) => p.notebook()],
    ['cells', 'cells', (p: Pad) => p.cells.map(({ images: _i, ...c }) => c)],
  ] as const) {
    app.get(`/v1/scratchpad/${path}`, { schema: { tags: ['scratchpad'], querystring: Name } }, async (req) => ({ [key]: render(mustGet(req.query.name)) }));
  }

  app.post('/v1/scratchpad/close', { schema: { tags: ['scratchpad'], body: z.object({ name: z.string() }) } }, async (req) => {
    mustGet(req.body.name);
    await pads.remove(API_SCOPE, safePadName(req.body.name));
    return { status: 'closed', name: req.body.name };
  });

  app.post('/v1/scratchpad/cleanup', { schema: { tags: ['scratchpad'], body: z.object({ name: z.string() }) } }, async (req) => {
    mustGet(req.body.name);
    await pads.remove(API_SCOPE, safePadName(req.body.name), true);
    return { status: 'cleaned', name: req.body.name };
  });

  app.get('/v1/scratchpad/list', { schema: { tags: ['scratchpad'] } }, async () => ({ pads: pads.list(API_SCOPE).map((p) => p.name) }));
});
