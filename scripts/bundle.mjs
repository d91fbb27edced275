// Bundle the server entry for fast cold starts (one file to load instead of hundreds of modules).
// better-sqlite3 stays external: it is a native addon resolved from node_modules at run time. The database drivers
// of the connector probes stay external too (optional native parts, loaded only when a probe runs).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bundle', { recursive: true, force: true }); // no stale chunks

await build({
  entryPoints: { cli: 'src/cowork/server/cli.ts', early: 'src/cowork/server/early.ts', anton: 'src/cli/main.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true, // dynamic import() of heavy SDKs becomes a lazily loaded chunk
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // @fastify/swagger-ui serves its own files from beside its code (/docs), so it is loaded from node_modules.
  external: ['better-sqlite3', 'tedious', 'oracledb', 'mongodb', 'ioredis', 'cassandra-driver', '@fastify/swagger-ui'],
  outExtension: { '.js': '.mjs' },
  banner: { js: "import { createRequire as __antonCreateRequire } from 'node:module'; const require = __antonCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
  minify: true, // less to parse at every start
});
