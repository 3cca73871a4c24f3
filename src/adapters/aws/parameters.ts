import { GetParameterCommand, GetParametersCommand } from '@aws-sdk/client-ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ParameterMissingError } from '../../errors';
import { systemClock } from '../../ports';
import type { Clock } from '../../ports';


export interface ParameterStoreOptions {
  /** Built once per process by the composition root, with the SDK's own configuration chain. */
  readonly client: SSMClient;
  /** How long a value is reused before Parameter Store is asked again (default 5 minutes). */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

interface Cached {
  readonly value: string;
  readonly fetchedMs: number;
}

/** GetParameters takes at most this many names per call. */
const BATCH = 10;
const DEFAULT_TTL_MS = 5 * 60_000;

/**
 * Reads (SecureString) parameters with decryption and keeps them for a while, so a warm Lambda
 * asks Parameter Store once per TTL rather than once per request, and a rotated secret or an
 * uploaded config is picked up within the TTL without a deploy. Concurrent reads of one name
 * share a single call. Values are never logged or put in errors.
 */
export class ParameterStore {
  private readonly client: SSMClient;
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(options: ParameterStoreOptions) {
    this.client = options.client;
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.clock = options.clock ?? systemClock;
  }

  /** One parameter's value, decrypted; from the cache while it is younger than the TTL. */
  async get(name: string, options: { readonly forceFetch?: boolean } = {}): Promise<string> {
    const cached = options.forceFetch === true ? undefined : this.fresh(name);
    if (cached !== undefined) return cached;
    const pending = this.inflight.get(name);
    if (pending !== undefined) return pending;
    const fetching = this.fetchOne(name).finally(() => this.inflight.delete(name));
    this.inflight.set(name, fetching);
    return fetching;
  }

  /** Several parameters at once (GetParameters, ten names a call); throws naming every missing one. */
  async getMany(names: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const values = new Map<string, string>();
    const wanted: string[] = [];
    for (const name of new Set(names)) {
      const cached = this.fresh(name);
      if (cached !== undefined) values.set(name, cached);
      else wanted.push(name);
    }
    const missing: string[] = [];
    for (let start = 0; start < wanted.length; start += BATCH) {
      const batch = wanted.slice(start, start + BATCH);
      const out = await this.client.send(new GetParametersCommand({ Names: batch, WithDecryption: true }));
      for (const parameter of out.Parameters ?? []) {
        if (parameter.Name === undefined || parameter.Value === undefined) continue;
        this.remember(parameter.Name, parameter.Value);
        values.set(parameter.Name, parameter.Value);
      }
      for (const name of batch) if (!values.has(name)) missing.push(name);
    }
    if (missing.length > 0) throw new ParameterMissingError(missing);
    return values;
  }

  /** Forgets cached values (after a rotation is known to have happened). */
  clear(): void {
    this.cache.clear();
  }

  private fresh(name: string): string | undefined {
    const cached = this.cache.get(name);
    if (cached === undefined) return undefined;
    return this.clock.now().getTime() - cached.fetchedMs < this.ttlMs ? cached.value : undefined;
  }

  private remember(name: string, value: string): void {
    this.cache.set(name, { value, fetchedMs: this.clock.now().getTime() });
  }

  private async fetchOne(name: string): Promise<string> {
    let value: string | undefined;
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      value = out.Parameter?.Value;
    } catch (error) {
      if (error instanceof Error && error.name === 'ParameterNotFound') throw new ParameterMissingError([name], { cause: error });
      throw error;
    }
    if (value === undefined) throw new ParameterMissingError([name]);
    this.remember(name, value);
    return value;
  }
}
