import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors';
import type { CliIo } from '../io';

/** The config file to use: --config, else $WARDEN_CONFIG, else ./warden.yaml. */
export function resolveConfigPath(io: CliIo, flag: string | undefined): string {
  const chosen = flag ?? io.env['WARDEN_CONFIG'];
  if (chosen !== undefined && chosen !== '') return path.resolve(io.cwd, chosen);
  const fallback = path.resolve(io.cwd, 'warden.yaml');
  if (existsSync(fallback)) return fallback;
  throw new InputError('no config file: pass --config FILE (config/warden.example.yaml documents every key)');
}
