// Bundle the server entry for fast cold starts (one file to load instead of hundreds of modules).
// better-sqlite3 stays external: it is a native addon resolved from node_modules at run time. The database drivers
// of the connector probes stay external too (optional native parts, loaded only when a probe runs).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bundle', { recursive: true, force: true }); // no stale chunks

/**
 * zod re-exports its ~50 message locales as a namespace (`z.locales`), which keeps all of them (~300 KB minified)
 * in the bundle though only English is ever used: parsed at every start and held in memory. Only `en` is kept.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales-en', namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({ contents: "export { default as en } from 'zod/v4/locales/en.js';", resolveDir: process.cwd() }));
  },
};

await build({
  entryPoints: { cli: 'src/cowork/server/cli.ts', early: 'src/cowork/server/early.ts', anton: 'src/cli/main.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true, // dynamic import() of heavy SDKs becomes a lazily loaded chunk
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // @fastify/swagger-ui serves its own files from beside its code (/docs), so it is loaded from node_modules.
  // Fastify's default schema compilers (ajv, fast-json-stringify: ~200 KB) are required only when no compilers are
  // given; ours are zod's, so they are left out of the bundle (resolved from node_modules if ever asked for).
  external: ['better-sqlite3', 'tedious', 'oracledb', 'mongodb', 'ioredis', 'cassandra-driver', '@fastify/swagger-ui', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'],
  outExtension: { '.js': '.mjs' },
  banner: { js: "import { createRequire as __antonCreateRequire } from 'node:module'; const require = __antonCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
  // Less to parse at every start. ANTON_BUNDLE_MINIFY=0 keeps names readable, for a CPU profile.
  minify: process.env.ANTON_BUNDLE_MINIFY !== '0',
  plugins: [zodEnglishOnly],
});
