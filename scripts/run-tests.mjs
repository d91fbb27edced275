// Node 20's test runner has no glob support: find every *.test.ts under src/ and hand them to `node --test`.
// Tests that run the real bins use dist/: it is rebuilt first when any source is newer than the build.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
const find = (dir) => walk(dir).filter((f) => f.endsWith('.test.ts'));

const mtime = (f) => {
  try {
    return statSync(f).mtimeMs;
  } catch {
    return 0;
  }
};
const built = mtime('dist/bundle/server.cjs');
const sources = [...walk('src'), ...walk('bin'), 'package.json', 'scripts/bundle.mjs'].filter((f) => !f.endsWith('.test.ts'));
if (sources.some((f) => mtime(f) > built)) {
  console.error('dist/ is older than the sources: building first');
  const b = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const filter = process.argv.slice(2);
const files = find('src').filter((f) => filter.length === 0 || filter.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(res.status ?? 1);
