import { readdirSync } from 'node:fs';
import path from 'node:path';
import { importsOf } from '../deploy/function-calls';
import { ROOT } from '../deploy/sdk-calls';

/** Every .ts file under src, as a repository path. */
function sourceFiles(dir = 'src'): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** The import cycles among `files` (each once, as the path that closes it), found by depth-first search. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('the import graph of src', () => {
  it('finds a cycle when there is one, type-only imports included (the check can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(importsOf('src/lambda/container.ts')).toContain('src/runtime/composition.ts');
  });

  it('has no cycle, not even through `import type` (dependencies point one way: entry points -> use cases -> ports <- adapters)', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const graph = new Map(files.map((file) => [file, importsOf(file)]));

    expect(importCycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });
});
