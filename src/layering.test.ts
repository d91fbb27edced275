import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? tsFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

test('src/core never imports from src/cowork (the agent runtime stays free of HTTP)', () => {
  const offenders = tsFiles(join(SRC, 'core')).filter((f) =>
    /(?:from\s+|import\s*\(\s*)['"][^'"]*cowork[^'"]*['"]/.test(readFileSync(f, 'utf8')),
  );
  assert.deepEqual(offenders.map((f) => relative(SRC, f)), []);
});
