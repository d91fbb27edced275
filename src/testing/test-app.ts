import type { FastifyInstance } from 'fastify';
import { buildApp } from '../cowork/server/app.js';
import { createContext } from '../cowork/server/context.js';
import type { ServerServices } from '../cowork/server/server-services.js';
import { cleanEnv, makeTempHome } from './temp-home.js';
import { StubLlm } from './stub-llm.js';
import { parseSetting } from '../core/settings/settings-registry.js';

export interface TestApp {
  app: FastifyInstance;
  ctx: ServerServices;
  home: string;
  env: Record<string, string>;
  /** Base URL when started with listen: true (for SSE over a real socket). */
  url: string;
  close(): Promise<void>;
}

/** Build the real app in a temp HOME; `listen` binds a loopback port for streaming tests. */
export async function startTestApp(opts: { env?: Record<string, string>; listen?: boolean; home?: string } = {}): Promise<TestApp> {
  const temp = opts.home ? { home: opts.home, cleanup: () => {} } : makeTempHome();
  const env = cleanEnv(temp.home, opts.env);
  const ctx = createContext(env, { logLevel: parseSetting('ANTON_TEST_LOG_LEVEL', process.env.ANTON_TEST_LOG_LEVEL) });
  const app = await buildApp(ctx, { checkResponses: true });
  let url = '';
  if (opts.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    if (addr && typeof addr === 'object') url = `http://127.0.0.1:${addr.port}`;
  } else {
    await app.ready();
  }
  return {
    app,
    ctx,
    home: temp.home,
    env,
    url,
    async close() {
      await app.close();
      temp.cleanup();
    },
  };
}

/** The common chat setup: a scripted stub LLM and a listening app whose planning model points at it. */
export async function startAppWithStub(
  t: { after: (fn: () => unknown) => void },
  env: Record<string, string> = {},
): Promise<{ ta: TestApp; stub: StubLlm }> {
  const stub = await new StubLlm().start();
  const ta = await startTestApp({ listen: true, env: { ANTON_ANTHROPIC_API_KEY: 'sk-ant-test', ANTON_ANTHROPIC_BASE_URL: stub.url, ...env } });
  t.after(async () => {
    await ta.close();
    await stub.stop();
  });
  return { ta, stub };
}
