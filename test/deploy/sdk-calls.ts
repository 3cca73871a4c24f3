import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument, type Tags } from 'yaml';

export const ROOT = path.resolve(__dirname, '../..');

/** IAM service prefix of each AWS SDK v3 client package the code may import. */
const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-organizations': 'organizations',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-identitystore': 'identitystore',
  '@aws-sdk/client-sso-admin': 'sso',
  '@aws-sdk/client-cloudtrail': 'cloudtrail',
};

/** SDK command names whose IAM action is spelled differently. */
const ACTION_NAME: Readonly<Record<string, string>> = { 'lambda:Invoke': 'lambda:InvokeFunction', 's3:ListObjectsV2': 's3:ListBucket' };

/** One AWS API call found in the source: `new XxxCommand(` of a class imported from an SDK client. */
export interface SdkCall {
  /** IAM action, e.g. `iam:UpdateAccessKey`. */
  readonly action: string;
  /** Path relative to the repository root. */
  readonly file: string;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (entry.name.endsWith('.ts')) yield full;
  }
}

const IMPORT = /import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'(@aws-sdk\/client-[a-z0-9-]+)'/g;

/** The lazily required SDK packages of src/adapters/aws/sdk.ts (through ./sdk/*.ts): loader name (`iamSdk`) to IAM service prefix. */
function lazyLoaders(): Map<string, string> {
  const loaders = new Map<string, string>();
  const dir = path.join(ROOT, 'src', 'adapters', 'aws');
  const text = readFileSync(path.join(dir, 'sdk.ts'), 'utf8');
  for (const match of text.matchAll(/export const (\w+) = lazy\(\(\) => require\('(\.\/sdk\/[a-z0-9-]+)'\)/g)) {
    // Each loader requires a local module re-exporting one SDK package's classes: the package is named there.
    const reexport = readFileSync(path.join(dir, `${match[2] as string}.ts`), 'utf8').match(/from '(@aws-sdk\/client-[a-z0-9-]+)'/);
    const prefix = SERVICE_PREFIX[reexport?.[1] ?? ''];
    if (prefix === undefined) throw new Error(`src/adapters/aws/sdk.ts loads ${match[2] as string} (${reexport?.[1] ?? 'no SDK package'}): add its IAM service prefix to test/deploy/sdk-calls.ts`);
    loaders.set(match[1] as string, prefix);
  }
  if (loaders.size === 0) throw new Error('no lazy SDK loaders found in src/adapters/aws/sdk.ts: update test/deploy/sdk-calls.ts');
  return loaders;
}

/**
 * Every AWS API call the production code makes (`new XCommand(` of an imported class, or `new (iamSdk().XCommand)(` of
 * a lazily loaded package), found by reading `src` (the sandbox, which serves
 * AWS APIs rather than calling them, is left out). Throws on a client package with no known IAM
 * prefix, so a new service cannot slip past the policy test.
 */
export function sdkCalls(): SdkCall[] {
  const calls: SdkCall[] = [];
  const src = path.join(ROOT, 'src');
  const loaders = lazyLoaders();
  for (const file of sourceFiles(src)) {
    const relative = path.relative(ROOT, file).split(path.sep).join('/');
    if (relative.startsWith('src/sandbox/')) continue;
    const text = readFileSync(file, 'utf8');
    const commands = new Map<string, { prefix: string; command: string }>();
    for (const match of text.matchAll(IMPORT)) {
      const pkg = match[2] as string;
      const prefix = SERVICE_PREFIX[pkg];
      if (prefix === undefined) throw new Error(`${relative} imports ${pkg}: add its IAM service prefix to test/deploy/sdk-calls.ts`);
      for (const spec of (match[1] as string).split(',')) {
        const parts = spec.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
        const imported = parts[0]?.trim();
        const local = (parts[1] ?? parts[0])?.trim();
        if (imported === undefined || local === undefined || !/^\w+Command$/.test(imported)) continue;
        commands.set(local, { prefix, command: imported.replace(/Command$/, '') });
      }
    }
    for (const match of text.matchAll(/new\s+(\w+)\s*\(/g)) {
      const found = commands.get(match[1] as string);
      if (found === undefined) continue;
      const action = `${found.prefix}:${found.command}`;
      calls.push({ action: ACTION_NAME[action] ?? action, file: relative });
    }
    for (const match of text.matchAll(/new\s+\(\s*(\w+)\(\)\.(\w+)Command\s*\)\s*\(/g)) {
      const prefix = loaders.get(match[1] as string);
      if (prefix === undefined) continue;
      const action = `${prefix}:${match[2] as string}`;
      calls.push({ action: ACTION_NAME[action] ?? action, file: relative });
    }
  }
  return calls;
}

/** Distinct actions of some calls. */
export const actionsOf = (calls: readonly SdkCall[]): Set<string> => new Set(calls.map((c) => c.action));

// ---------------------------------------------------------------------------------------------------------------------
// CloudFormation

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: Json;
  readonly Condition?: Json;
}

export const actionList = (statement: Statement): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

export const resourceList = (statement: Statement): Json[] => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]);

/** CloudFormation's short-form intrinsic functions (`!Sub`, `!Ref`…) as the long form, for reading templates in tests. */
const CFN_TAGS: Tags = ['Sub', 'Ref', 'GetAtt', 'Join', 'If', 'Equals', 'Not', 'Select', 'Split', 'FindInMap', 'ImportValue', 'Base64', 'Condition'].flatMap(
  (name) => {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    const wrap = (value: unknown) => ({ [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value });
    return [
      { tag: `!${name}`, identify: () => false, resolve: (value: string) => wrap(value) },
      { tag: `!${name}`, identify: () => false, collection: 'seq' as const, resolve: (value: { toJSON(): unknown }) => wrap(value.toJSON()) },
      { tag: `!${name}`, identify: () => false, collection: 'map' as const, resolve: (value: { toJSON(): unknown }) => wrap(value.toJSON()) },
    ];
  },
);

/** Reads a CloudFormation YAML template (short-form tags included). */
export function readCloudFormationYaml(file: string): { [key: string]: Json } {
  const doc = parseDocument(readFileSync(file, 'utf8'), { customTags: CFN_TAGS });
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS() as { [key: string]: Json };
}

/** Logical ids a value refers to (`Ref`, `Fn::GetAtt`, `${Name.Arn}` inside `Fn::Sub`). */
export function referencedResources(value: Json): Set<string> {
  const found = new Set<string>();
  const walk = (v: Json): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [key, member] of Object.entries(v)) {
        if (key === 'Ref' && typeof member === 'string') found.add(member);
        else if (key === 'Fn::GetAtt' && Array.isArray(member) && typeof member[0] === 'string') found.add(member[0]);
        else if (key === 'Fn::Sub') {
          const text = Array.isArray(member) ? member[0] : member;
          if (typeof text === 'string') for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}/g)) found.add(m[1] as string);
        }
        walk(member);
      }
    }
  };
  walk(value);
  for (const pseudo of [...found]) if (pseudo.startsWith('AWS::')) found.delete(pseudo);
  return found;
}

/** A resource as text (for `Fn::Sub` ARNs): the Sub string, or the JSON of anything else. */
export const resourceText = (value: Json): string => {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'Fn::Sub' in value) {
    const sub = value['Fn::Sub'];
    return typeof sub === 'string' ? sub : JSON.stringify(sub);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
};
