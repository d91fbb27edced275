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

/** Relative runtime imports of each module (type-only imports are erased and cannot form a load cycle). */
function importGraph(): Map<string, string[]> {
  const files = tsFiles(SRC).filter((f) => !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && !f.includes('/testing/'));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps: string[] = [];
    for (const m of readFileSync(f, 'utf8').matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gm)) {
      if (m[2]) continue;
      const target = join(f, '..', m[3]).replace(/\.js$/, '.ts');
      if (known.has(target)) deps.push(target);
    }
    graph.set(f, deps);
  }
  return graph;
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

test('src/ has no import cycles (a service never imports a route; modules load in one direction)', () => {
  assert.deepEqual(cycles(importGraph()), []);
});

test('the cycle check finds a cycle when there is one', () => {
  const g = new Map([
    ['/a.ts', ['/b.ts']],
    ['/b.ts', ['/a.ts']],
    ['/c.ts', ['/a.ts']],
  ]);
  assert.equal(cycles(g).length, 1);
});
