import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { renderDemoTemplate } from '../../src/cli/commands/demo';
import { IamSandboxState } from '../../src/sandbox/iam-state';
import { parseSeed } from '../../src/sandbox/seed';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';

/** What the end-to-end tests of the real `warden` process share: the command, the demo company, an IAM-only config. */
export const REPO = path.resolve(__dirname, '../..');
export const WARDEN_BIN = path.join(REPO, 'bin/warden.js');
const DEMO = path.join(REPO, 'config/demo');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `warden` command in a child process with only the environment given (no ambient AWS profile). */
export function runWarden(args: readonly string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [WARDEN_BIN, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, ...env }, timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

/** The IAM sandbox seeded with the demo company as of `now`. */
export async function startDemoIamSandbox(now: Date): Promise<RunningSandbox> {
  const seed = parseSeed(parseYaml(renderDemoTemplate(readFileSync(path.join(DEMO, 'iam-seed.yaml'), 'utf8'), now)));
  if (!seed.ok) throw new Error(seed.errors.join('; '));
  return startSandbox({ state: IamSandboxState.fromSeed(seed.seed) });
}

/** The demo roster as of `now`, CSV. */
export const demoRosterCsv = (now: Date): string => renderDemoTemplate(readFileSync(path.join(DEMO, 'roster.csv'), 'utf8'), now);

/**
 * The demo config without `accounts` (the account comes from the credentials, as for a first-time user) and without
 * `hosts` (SSM is not served by the IAM sandbox; the demo and the SSM tests cover hosts).
 */
export const iamOnlyDemoConfig = (): string =>
  readFileSync(path.join(DEMO, 'warden.yaml'), 'utf8')
    .replace(/^accounts:\n(\s+-.*\n)+/m, '')
    .replace(/^hosts:\n(\s+.*\n)+/m, '');

/** Environment pointing the real SDK at a local IAM endpoint with throwaway credentials. */
export const sandboxIamEnv = (url: string): Record<string, string> => ({
  AWS_ENDPOINT_URL_IAM: url,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIATESTCLIENT000001',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
});
