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

test('src/core never imports from the terminal adapter (src/cli)', () => {
  const offenders = tsFiles(join(SRC, 'core')).filter((f) => /(?:from\s+|import\s*\(\s*)['"][^'"]*\/cli\/[^'"]*['"]/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders.map((f) => relative(SRC, f)), []);
});

/**
 * Relative imports of each module, type-only ones included: an `import type` cycle loads fine (it is erased), but it
 * still ties two modules into one, which is what this test forbids.
 */
function importGraph(): Map<string, string[]> {
  const files = tsFiles(SRC).filter((f) => !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !f.includes('/testing/'));
  const known = new Set(files);
  return new Map(files.map((f) => [f, relativeImports(f, readFileSync(f, 'utf8')).filter((t) => known.has(t))]));
}

/** The modules a source text imports or re-exports from by relative path, as absolute .ts paths. */
function relativeImports(file: string, text: string): string[] {
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm)].map((m) => join(file, '..', m[1]).replace(/\.js$/, '.ts'));
}

/** Strongly connected components with more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(relative(SRC, w));
      } while (w !== v);
      if (c.length > 1) found.push(c.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('src/ has no import cycles, type-only imports included (a service never imports a route or the composition root)', () => {
  assert.deepEqual(cycles(importGraph()), []);
});

test('the import graph counts type-only imports and re-exports as edges', () => {
  const text = [
    "import type { A } from './a.js';",
    "import {\n  type B,\n  type C,\n} from './b.js';",
    "export type { D } from '../d.js';",
    "import { e } from './e.js';",
    "import { f } from 'node:fs';",
  ].join('\n');
  assert.deepEqual(relativeImports('/src/x/m.ts', text), ['/src/x/a.ts', '/src/x/b.ts', '/src/d.ts', '/src/x/e.ts']);
});

test('the cycle check finds a cycle when there is one', () => {
  const g = new Map([
    ['/a.ts', ['/b.ts']],
    ['/b.ts', ['/a.ts']],
    ['/c.ts', ['/a.ts']],
  ]);
  assert.equal(cycles(g).length, 1);
});
