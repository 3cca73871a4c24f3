/**
 * Simulated EC2 hosts for the SSM sandbox: which instances exist, how they answer SSM, and how a command runs on one.
 *
 * A host is a folder holding `etc/passwd`, `etc/shadow`, `etc/hostname` and home folders; commands run the real host
 * scripts (scripts/host/*.sh) with `sh` and WARDEN_HOST_ROOT set to that folder, so they never read or change this
 * machine's own /etc or /home. Only Warden's own scripts run: any other command text fails like a broken script would.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { loadHostScripts, type HostScripts } from '../adapters/hosts/host-script-protocol';

/**
 * How an instance answers Run Command:
 * - `online`: the agent is connected and runs commands;
 * - `offline`: registered, but the agent is not connected (stopped host, ConnectionLost): invocations stay Delayed,
 *   then end TimedOut / DeliveryTimedOut;
 * - `undeliverable`: targeted but gone (terminated meanwhile): invocations end Failed / Undeliverable at once;
 * - `unregistered`: no SSM agent: never targeted by tags, and SendCommand by id answers InvalidInstanceId.
 */
export type SimulatedInstanceState = 'online' | 'offline' | 'undeliverable' | 'unregistered';

export interface SimulatedInstance {
  readonly instanceId: string;
  readonly name?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly state: SimulatedInstanceState;
}

/** Which host script a command runs, with which arguments. */
export interface HostScriptRun {
  readonly script: 'inventory' | 'revoke';
  readonly args: readonly string[];
}

export interface HostRunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a host script on one simulated instance. */
export interface HostRunner {
  run(instanceId: string, run: HostScriptRun): Promise<HostRunResult>;
}

/** The instances SSM knows, mutable so a test or the demo can bring a host back online. */
export class SimulatedFleet {
  private readonly instances = new Map<string, SimulatedInstance>();

  constructor(instances: readonly SimulatedInstance[] = []) {
    for (const instance of instances) this.instances.set(instance.instanceId, instance);
  }

  add(instance: SimulatedInstance): this {
    this.instances.set(instance.instanceId, instance);
    return this;
  }

  get(instanceId: string): SimulatedInstance | undefined {
    return this.instances.get(instanceId);
  }

  setState(instanceId: string, state: SimulatedInstanceState): void {
    const instance = this.instances.get(instanceId);
    if (instance === undefined) throw new Error(`no simulated instance ${instanceId}`);
    this.instances.set(instanceId, { ...instance, state });
  }

  list(): readonly SimulatedInstance[] {
    return [...this.instances.values()];
  }
}

const HEADER = /^# Warden (inventory|revoke) \(scripts\/host\/\1\.sh\)$/;
const SET_ARGS = /^set --((?: '[^']*')*)$/;

/**
 * Reads AWS-RunShellScript command text built by `inventoryCommand` / `revokeCommand` back into script and arguments;
 * undefined when it is anything else (another script, edited script bytes, arguments a shell would interpret).
 */
export function parseHostScriptCommand(text: string, scripts: HostScripts = loadHostScripts()): HostScriptRun | undefined {
  const first = text.indexOf('\n');
  const second = first < 0 ? -1 : text.indexOf('\n', first + 1);
  if (second < 0) return undefined;
  const header = HEADER.exec(text.slice(0, first));
  const set = SET_ARGS.exec(text.slice(first + 1, second));
  if (header === null || set === null) return undefined;
  const script = header[1] as 'inventory' | 'revoke';
  if (text.slice(second + 1) !== scripts[script]) return undefined;
  const args = [...(set[1] ?? '').matchAll(/ '([^']*)'/g)].map((m) => m[1] ?? '');
  if (args.some((a) => !/^[A-Za-z0-9+/=-]*$/.test(a))) return undefined;
  return { script, args };
}

export interface FolderRunnerOptions {
  /** The folder simulating an instance, or undefined when the instance has none (the script then fails). */
  readonly rootOf: (instanceId: string) => string | undefined;
  /** Where inventory.sh and revoke.sh are (the repository's scripts/host by default). */
  readonly scriptDir?: string;
  /** Kills a script running longer than this (default 60 s), as SSM's executionTimeout would. */
  readonly timeoutMs?: number;
  /** Environment for the scripts beyond PATH, TMPDIR and WARDEN_HOST_ROOT. */
  readonly env?: Readonly<Record<string, string>>;
}

const DEFAULT_SCRIPT_DIR = path.resolve(__dirname, '../../scripts/host');

/** Runs the real host scripts with `sh` against a folder per instance. */
export function folderHostRunner(options: FolderRunnerOptions): HostRunner {
  const scriptDir = options.scriptDir ?? DEFAULT_SCRIPT_DIR;
  return {
    run: (instanceId, { script, args }) => {
      const root = options.rootOf(instanceId);
      if (root === undefined || !isHostFolder(root)) {
        return Promise.resolve({ exitCode: 70, stdout: '', stderr: `warden: simulated host ${instanceId} has no folder\n` });
      }
      return new Promise<HostRunResult>((resolve) => {
        const child = spawn('sh', [path.join(scriptDir, `${script}.sh`), ...args], {
          env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', TMPDIR: os.tmpdir(), ...options.env, WARDEN_HOST_ROOT: path.resolve(root) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
        const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
        child.on('error', (error) => {
          clearTimeout(timer);
          resolve({ exitCode: 127, stdout: '', stderr: `${error.message}\n` });
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          const stderr = Buffer.concat(err).toString('utf8');
          resolve({ exitCode: code ?? (signal !== null ? 137 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr });
        });
      });
    },
  };
}

/** A folder that can stand for a host: a real directory, never this machine's root. */
function isHostFolder(root: string): boolean {
  const resolved = path.resolve(root);
  if (resolved === path.parse(resolved).root) return false;
  try {
    return statSync(resolved).isDirectory();
  } catch {
    return false;
  }
}

const instanceSchema = z.strictObject({
  instanceId: z.string().regex(/^(i-[0-9a-z]{8,17}|mi-[0-9a-z]{17})$/, 'must be an instance id (i-… or mi-…)'),
  name: z.string().optional(),
  tags: z.record(z.string(), z.string()).default({}),
  state: z.enum(['online', 'offline', 'undeliverable', 'unregistered']).default('online'),
});

const fleetSchema = z.strictObject({ instances: z.array(instanceSchema).min(1) });

/** File naming the instances of a hosts folder; each instance's host is the sub-folder named after its id. */
export const FLEET_FILE = 'fleet.yaml';

/** A fleet read from a folder: `fleet.yaml` plus one host folder per instance. */
export interface FleetDirectory {
  readonly fleet: SimulatedFleet;
  readonly runner: HostRunner;
  /** The host folder of an instance. */
  rootOf(instanceId: string): string;
}

/** Loads `DIR/fleet.yaml` and serves each instance from `DIR/<instanceId>/` with the real scripts. */
export function loadFleetDirectory(dir: string, options: Omit<FolderRunnerOptions, 'rootOf'> = {}): FleetDirectory {
  const file = path.join(dir, FLEET_FILE);
  const parsed = fleetSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}`);
  }
  const instances: SimulatedInstance[] = parsed.data.instances.map((i) => ({
    instanceId: i.instanceId,
    ...(i.name !== undefined ? { name: i.name } : {}),
    tags: i.tags,
    state: i.state,
  }));
  const rootOf = (instanceId: string): string => path.join(dir, instanceId);
  for (const instance of instances) {
    if (instance.state !== 'unregistered' && !existsSync(rootOf(instance.instanceId))) throw new Error(`${file}: no host folder ${instance.instanceId}/`);
  }
  return { fleet: new SimulatedFleet(instances), runner: folderHostRunner({ ...options, rootOf }), rootOf };
}
