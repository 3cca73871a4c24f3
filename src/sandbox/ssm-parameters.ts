/**
 * A simulated SSM Parameter Store (awsJson1_1, `AmazonSSM.*`): GetParameter, GetParameters, PutParameter and
 * GetParameterHistory, with versions, `Overwrite`, and SecureString values returned as ciphertext unless
 * `WithDecryption` is set, as AWS does. One namespace for the whole sandbox (names are not per account or region).
 * SSM has one signing name, so it is served next to Run Command by `withParameterStore(ssm.service, store)`.
 */
import { errorReply, jsonReply, jsonService, type ActionHandler, type ServiceCall, type ServiceHandler } from './service';

export type ParameterType = 'String' | 'StringList' | 'SecureString';

/** One version of a parameter. */
export interface ParameterVersion {
  readonly value: string;
  readonly type: ParameterType;
  readonly version: number;
  readonly lastModified: Date;
  readonly description?: string;
}

/** A parameter given up front (version 1). */
export interface InitialParameter {
  readonly value: string;
  readonly type?: ParameterType;
}

const NAME = /^\/?[a-zA-Z0-9_.\-/]{1,2048}$/;
const MAX_STANDARD_VALUE = 4096;
const MAX_GET_PARAMETERS = 10;

/** Parameters and every version written, for tests to seed and inspect. */
export class ParameterStoreSandbox {
  private readonly history = new Map<string, ParameterVersion[]>();

  constructor(
    initial: Readonly<Record<string, InitialParameter>> = {},
    private readonly now: () => Date = () => new Date(),
  ) {
    for (const [name, p] of Object.entries(initial)) this.set(name, p.value, p.type ?? 'String');
  }

  /** Writes a new version (as PutParameter with Overwrite would). */
  set(name: string, value: string, type: ParameterType = 'String'): ParameterVersion {
    const versions = this.history.get(name) ?? [];
    const next: ParameterVersion = { value, type, version: versions.length + 1, lastModified: this.now() };
    this.history.set(name, [...versions, next]);
    return next;
  }

  /** The current version, or undefined. */
  get(name: string): ParameterVersion | undefined {
    return this.history.get(name)?.at(-1);
  }

  /** Every version, oldest first. */
  versions(name: string): readonly ParameterVersion[] {
    return this.history.get(name) ?? [];
  }

  /** The Parameter Store actions, to serve alone or next to other SSM actions. */
  actions(): Readonly<Record<string, ActionHandler>> {
    const render = (name: string, p: ParameterVersion, decrypt: boolean, call: ServiceCall) => ({
      Name: name,
      Type: p.type,
      Value: p.type === 'SecureString' && !decrypt ? `AQICAHencrypted${Buffer.from(p.value).toString('base64')}` : p.value,
      Version: p.version,
      LastModifiedDate: p.lastModified.getTime() / 1000,
      DataType: 'text',
      ARN: `arn:aws:ssm:${call.region}:${call.account}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
    });
    const input = (call: ServiceCall): Record<string, unknown> => (typeof call.input === 'object' && call.input !== null ? (call.input as Record<string, unknown>) : {});
    const decrypting = (call: ServiceCall): boolean => input(call)['WithDecryption'] === true;
    const notFound = (name: string) => errorReply('ParameterNotFound', `Parameter ${name} not found.`, 400);
    return {
      GetParameter: (call) => {
        const name = input(call)['Name'];
        if (typeof name !== 'string' || name === '') return errorReply('ValidationException', "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null", 400);
        const p = this.get(name);
        return p === undefined ? notFound(name) : jsonReply({ Parameter: render(name, p, decrypting(call), call) });
      },
      GetParameters: (call) => {
        const names = input(call)['Names'];
        if (!Array.isArray(names) || names.length === 0 || !names.every((n): n is string => typeof n === 'string')) {
          return errorReply('ValidationException', "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length greater than or equal to 1", 400);
        }
        if (names.length > MAX_GET_PARAMETERS) return errorReply('ValidationException', `Member must have length less than or equal to ${MAX_GET_PARAMETERS}`, 400);
        const found = names.flatMap((n) => {
          const p = this.get(n);
          return p === undefined ? [] : [render(n, p, decrypting(call), call)];
        });
        return jsonReply({ Parameters: found, InvalidParameters: names.filter((n) => this.get(n) === undefined) });
      },
      PutParameter: (call) => {
        const body = input(call);
        const name = body['Name'];
        const value = body['Value'];
        if (typeof name !== 'string' || !NAME.test(name)) return errorReply('ValidationException', 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive), and must be a valid name.', 400);
        if (typeof value !== 'string' || value === '') return errorReply('ValidationException', "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1", 400);
        if (value.length > MAX_STANDARD_VALUE) return errorReply('ValidationException', 'Standard tier parameters support a maximum parameter value of 4096 characters.', 400);
        const existing = this.get(name);
        if (existing !== undefined && body['Overwrite'] !== true) return errorReply('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.', 400);
        const type = body['Type'] ?? existing?.type;
        if (type !== 'String' && type !== 'StringList' && type !== 'SecureString') return errorReply('ValidationException', 'A parameter type is required when you create a parameter.', 400);
        if (existing !== undefined && body['Type'] !== undefined && existing.type !== type && type === 'SecureString') {
          return errorReply('HierarchyTypeMismatchException', 'The parameter type cannot be changed to SecureString.', 400);
        }
        const written = this.set(name, value, type);
        return jsonReply({ Version: written.version, Tier: 'Standard' });
      },
      GetParameterHistory: (call) => {
        const name = input(call)['Name'];
        if (typeof name !== 'string' || this.get(name) === undefined) return notFound(String(name));
        return jsonReply({ Parameters: this.versions(name).map((p) => ({ ...render(name, p, decrypting(call), call), Name: name })) });
      },
    };
  }

  /** Parameter Store alone as the sandbox's `ssm` service. */
  service(): ServiceHandler {
    return jsonService({ name: 'ssm', targetPrefix: 'AmazonSSM', actions: this.actions() });
  }
}

/**
 * One `ssm` service answering Parameter Store actions from `store` and every other action from `base` (the Run Command
 * sandbox's service, say), so both can be registered under SSM's single signing name.
 */
export function withParameterStore(base: ServiceHandler, store: ParameterStoreSandbox): ServiceHandler {
  const actions = store.actions();
  return {
    ...base,
    handle(call) {
      const action = Object.prototype.hasOwnProperty.call(actions, call.action) ? actions[call.action] : undefined;
      return action !== undefined ? action(call) : base.handle(call);
    },
  };
}
