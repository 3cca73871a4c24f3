import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, sdkCalls, type SdkCall } from './sdk-calls';
import { NOT_DEPLOYED, NOT_RUN_IN, ONLY_RUN_IN } from './policy-rules';

/** The three Lambda functions, by the entry file of each bundle (serverless.yml `handler`). */
export const FUNCTION_ENTRIES = {
  slack: 'src/lambda/slack.ts',
  reconcile: 'src/lambda/reconcile.ts',
  worker: 'src/lambda/worker.ts',
  trail: 'src/lambda/trail.ts',
} as const;
export type FunctionName = keyof typeof FUNCTION_ENTRIES;

// `import … from './x'`, `export … from './x'`, `import './x'`, `import('./x')`: relative specifiers only (packages
// are not walked: an AWS call is found in src, and sdkCalls() already refuses an unknown client package).
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g;

function resolveModule(fromFile: string, specifier: string): string {
  const base = path.resolve(path.dirname(path.join(ROOT, fromFile)), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate)) return path.relative(ROOT, candidate).split(path.sep).join('/');
  }
  throw new Error(`${fromFile} imports ${specifier}, which resolves to no .ts file`);
}

/** The source files one file imports (relative specifiers, type-only imports included), as repository paths. */
export function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  // JSON modules (package.json) are data: they import nothing.
  return [...text.matchAll(SPECIFIER)].filter((match) => !(match[1] as string).endsWith('.json')).map((match) => resolveModule(file, match[1] as string));
}

/**
 * Every source file a bundle can contain: the entry and everything it imports, transitively (type-only imports
 * included, which overstates and never understates what the bundle holds).
 */
export function reachableFiles(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...importsOf(file));
  }
  return seen;
}

/**
 * The AWS calls one function makes: the calls of every file its entry reaches, less those that never run in the
 * deployment and those policy-rules.ts says never run in that function (each with its reason, and each must still be
 * reachable, so a stale exception fails).
 */
export function functionCalls(fn: FunctionName): SdkCall[] {
  const reachable = reachableFiles(FUNCTION_ENTRIES[fn]);
  const exceptions = NOT_RUN_IN[fn] ?? {};
  for (const file of Object.keys(exceptions)) {
    if (!reachable.has(file)) throw new Error(`policy-rules.ts NOT_RUN_IN.${fn} names ${file}, which ${FUNCTION_ENTRIES[fn]} does not reach: remove it`);
  }
  const only = ONLY_RUN_IN[fn];
  const calls = sdkCalls().filter(
    (call) =>
      reachable.has(call.file) &&
      !(NOT_DEPLOYED[call.file] ?? []).includes(call.action) &&
      !(exceptions[call.file] ?? []).includes(call.action) &&
      (only === undefined || only.includes(call.action)),
  );
  for (const action of only ?? []) if (!calls.some((c) => c.action === action)) throw new Error(`policy-rules.ts ONLY_RUN_IN.${fn} names ${action}, which ${FUNCTION_ENTRIES[fn]} never calls: remove it`);
  return calls;
}
