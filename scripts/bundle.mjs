// Bundle the bins' code for fast cold starts (one file to load instead of hundreds of modules).
// better-sqlite3 stays external: it is a native addon resolved from node_modules at run time. Most database drivers
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

// Packages left out of both bundles, resolved from node_modules when used. @fastify/swagger-ui serves its own files
// from beside its code (/docs). Fastify's default schema compilers (ajv, fast-json-stringify: ~200 KB) are required
// only when no compilers are given; ours are zod's, so they are left out (resolved from node_modules if ever asked for).
const external = ['better-sqlite3', 'tedious', 'oracledb', 'mongodb', 'ioredis', 'cassandra-driver', '@fastify/swagger-ui', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'];
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  // Less to parse at every start. ANTON_BUNDLE_MINIFY=0 keeps names readable, for a CPU profile.
  minify: process.env.ANTON_BUNDLE_MINIFY !== '0',
  plugins: [zodEnglishOnly],
};

// The small first step of both bins (server-bin.mjs: flags, the port, the supervisor; then server-loader.mjs) and the
// terminal interface (anton.mjs), as ES modules: a dynamic import() of something heavy becomes a lazily loaded chunk.
await build({
  ...common,
  entryPoints: { 'server-bin': 'src/cowork/server/server-bin.ts', 'server-loader': 'src/cowork/server/server-loader.ts', anton: 'src/cli/main.ts' },
  outdir: 'dist/bundle',
  splitting: true,
  format: 'esm',
  external,
  outExtension: { '.js': '.mjs' },
  banner: { js: "import { createRequire as __antonCreateRequire } from 'node:module'; const require = __antonCreateRequire(import.meta.url);" },
});

// The server as one CommonJS file, which server-loader.ts compiles with V8's code cache (Node 20 caches no ES
// module). Code that only some requests need is still evaluated lazily, but it is in the file: so the MySQL driver
// (about 1 MB with its encodings, needed only by a connection probe) is loaded from node_modules instead.
const server = await build({
  ...common,
  metafile: true,
  entryPoints: { server: 'src/cowork/server/server-cli.ts' },
  outdir: 'dist/bundle',
  format: 'cjs',
  charset: 'ascii', // read as latin1 by the loader
  external: [...external, 'mysql2'],
  // import() of an outside package becomes a require() (they are all CommonJS): a script compiled from a code cache
  // loses its dynamic-import hook in Node (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so no import() may be left in it.
  supported: { 'dynamic-import': false },
  outExtension: { '.js': '.cjs' },
  // import.meta.url is the bundle file's URL (esbuild leaves import.meta empty in CommonJS).
  define: { 'import.meta.url': '__antonModuleUrl' },
  banner: { js: "var __antonModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
const dynamic = Object.values(server.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
if (dynamic.length) throw new Error(`dist/bundle/server.cjs still has import() of ${dynamic.join(', ')}: see \`supported\` above`);
