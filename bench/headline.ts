/**
 * The headline table of bench/RESULTS.md, written from one `npm run bench` run's results.json, so every figure in it
 * comes from that run and sits beside its goal (issue 12). `npm run bench` rewrites the block between the markers
 * after a full run; `--only` and quick runs leave it alone (their figures would be from different runs).
 */
export const HEADLINE_START = '<!-- headline: written by bench/run.ts from results.json; do not edit by hand -->';
export const HEADLINE_END = '<!-- /headline -->';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const fixed = (v: number | undefined, digits = 2): string => (v === undefined ? 'not measured' : v.toFixed(digits));
const met = (ok: boolean | undefined): string => (ok === undefined ? 'not measured' : ok ? 'yes' : '**no**');

interface Row {
  readonly figure: string;
  readonly goal: string;
  readonly value: string;
  readonly met: string;
}

/** The rows, each judged against its goal from the run's own numbers. */
export function headlineRows(results: Json): Row[] {
  const rows: Row[] = [];
  const startup = obj(results['startup']);
  const ratio = num(startup['ratio']);
  const goalRatio = num(startup['goalRatio']) ?? 5;
  rows.push({ figure: '`warden --help` / bare `node -e 0` (median of 15)', goal: `at most ${goalRatio}x`, value: ratio === undefined ? 'not measured' : `**${fixed(ratio)}x**`, met: met(ratio === undefined ? undefined : ratio <= goalRatio) });

  const iam = obj(results['iamCalls']);
  const bySize = Array.isArray(iam['bySize']) ? (iam['bySize'] as unknown[]).map(obj) : [];
  const bulk = bySize.map((s) => num(s['bulkCalls']));
  const sizes = bySize.map((s) => num(s['users']));
  // Pages, not per-user calls: at most one bulk call per 100 users at every size (a per-user loop makes several per user).
  const flat = bulk.length >= 2 && bulk.every((b, i) => b !== undefined && sizes[i] !== undefined && b * 100 <= (sizes[i] as number));
  rows.push({
    figure: `IAM bulk inventory calls, ${sizes.map((s) => (s ?? 0).toLocaleString('en-US')).join(' / ')} users`,
    goal: 'flat in the number of users (pages: at most 1 call per 100 users)',
    value: bulk.map((b) => (b === undefined ? '?' : String(b))).join(' / '),
    met: met(bulk.length >= 2 ? flat : undefined),
  });
  const perLeaver = num(iam['liveReadsPerLeaver']);
  const byApi = Object.keys(obj(iam['liveReadsPerLeaverByApi'])).length;
  rows.push({
    figure: 'live IAM reads per leaver (never the credential report)',
    goal: 'one per credential or attachment type that can hold something',
    value: perLeaver === undefined ? 'not measured' : `${fixed(perLeaver)} over ${byApi} APIs`,
    met: met(perLeaver === undefined ? undefined : perLeaver <= byApi),
  });
  const naive = num(iam['naiveCalls']);
  const warden = num(iam['wardenCalls']);
  rows.push({ figure: `naive / Warden IAM calls, ${(num(iam['users']) ?? 0).toLocaleString('en-US')} users`, goal: '(reported)', value: naive !== undefined && warden !== undefined ? `**${(naive / warden).toFixed(1)}x** (${naive} / ${warden})` : 'not measured', met: '' });

  const throttled = obj(results['throttledPlan']);
  rows.push({ figure: 'one account under IAM throttling: wall / (calls / rate)', goal: '(reported)', value: fixed(num(throttled['wallOverIdeal'])), met: '' });

  const org = obj(results['wholeOrg']);
  const one = obj(org['oneRun']);
  const worker = obj(org['workerAlone']);
  const fan = obj(org['fanOut']);
  const oneRatio = num(one['wallOverIdeal']);
  const workerRatio = num(worker['wallOverIdeal']);
  const fanRatio = num(fan['wallOverIdeal']);
  // The goal is asked of what runs in production: one plan (self-hosted), and each fan-out worker, which Lambda runs
  // in an invocation of its own. All plans on one thread is reported, not judged: no deployment runs that way.
  rows.push({
    figure: `whole organization, ${String(num(one['accounts']) ?? '?')} x ${(num(one['usersPerAccount']) ?? 0).toLocaleString('en-US')} users, ${String(num(one['ratePerSecondPerAccount']) ?? '?')} req/s each: wall / (busiest account's calls / rate)`,
    goal: 'at most 1.1x',
    value:
      oneRatio === undefined
        ? 'not measured'
        : `**${fixed(oneRatio)}** one plan (self-hosted), **${fixed(workerRatio)}** each Lambda fan-out worker (a process of its own); all ${String(num(fan['accounts']) ?? '?')} plans on one thread ${fixed(fanRatio)} (reported); peak RSS ${String(num(one['peakRssMiB']) ?? '?')} MiB one plan, ${String(num(worker['peakRssMiB']) ?? '?')} MiB per worker`,
    met: met(oneRatio === undefined ? undefined : oneRatio <= 1.1 && (workerRatio ?? Infinity) <= 1.1),
  });

  const ssm = obj(results['ssmCalls']);
  const goalSsm = num(ssm['ssm_calls_goal_per_1000_hosts']) ?? 60;
  const withBucket = num(ssm['ssm_calls_per_1000_hosts_1000_hosts_s3_with_timed_polling']) ?? num(ssm['ssm_calls_per_1000_hosts_1000_hosts_s3']);
  const without = num(ssm['ssm_calls_per_1000_hosts_1000_hosts_with_timed_polling']) ?? num(ssm['ssm_calls_per_1000_hosts_1000_hosts']);
  rows.push({
    figure: 'SSM calls per 1,000 hosts, inventory + revoke + verify, polling included',
    goal: `at most ${goalSsm}`,
    value: withBucket === undefined ? 'not measured' : `**${withBucket}** with the output bucket (the Lambda stack has one), ${String(without ?? '?')} without`,
    met: withBucket === undefined ? 'not measured' : withBucket <= goalSsm ? 'yes, with the bucket' : '**no**',
  });

  const cold = obj(results['coldStart']);
  const fns = Array.isArray(cold['functions']) ? (cold['functions'] as unknown[]).map(obj) : [];
  const goalCold = num(fns[0]?.['goalMs']) ?? 300;
  rows.push({
    figure: `Lambda cold start, module load + first invocation (median of ${String((fns[0]?.['runs'] as unknown[] | undefined)?.length ?? '?')}, ${typeof cold['node'] === 'string' ? cold['node'] : 'Node ?'}), ${fns.map((f) => String(f['name'])).join(' / ')}`,
    goal: `under ${goalCold} ms each`,
    value: fns.length === 0 ? 'not measured' : `${fns.map((f) => `**${Math.round(num(f['medianTotalMs']) ?? NaN)}**`).join(' / ')} ms (bare \`node -e 0\` ${String(num(cold['bareNodeMs']) ?? '?')} ms, load ${String(num(cold['loadAverage1m']) ?? '?')})`,
    met: fns.length === 0 ? 'not measured' : fns.every((f) => (num(f['medianTotalMs']) ?? Infinity) < goalCold) ? 'yes' : `**no** (${fns.filter((f) => !((num(f['medianTotalMs']) ?? Infinity) < goalCold)).map((f) => String(f['name'])).join(', ')})`,
  });

  const ic = obj(results['identityCenter']);
  const icRatio = num(ic['wardenOverMinimal']);
  rows.push({
    figure: 'Identity Center inventory: Warden\'s calls / a minimal hand-written loop\'s',
    goal: 'at most 1.5x',
    value: icRatio === undefined ? 'not measured' : `**${fixed(icRatio)}x** (${String(num(obj(ic['warden'])['calls']) ?? '?')} / ${String(num(obj(ic['minimalLoop'])['calls']) ?? '?')})`,
    met: met(icRatio === undefined ? undefined : icRatio <= 1.5),
  });

  const trail = obj(results['trail']);
  const event = obj(trail['eventToReRevokedMs']);
  const poll = obj(trail['poll']);
  rows.push({ figure: 'CloudTrail event reaching Warden -> re-revoked and verified', goal: 'under 10 s', value: num(event['median']) === undefined ? 'not measured' : `**${String(num(event['median']))} ms** median, ${String(num(event['max']))} ms max`, met: met(num(event['max']) === undefined ? undefined : (num(event['max']) as number) < 10_000) });
  rows.push({ figure: "restoring call -> re-revoked through `serve`'s polling (before CloudTrail's own delay)", goal: 'under 70 s', value: num(poll['worstCaseMs']) === undefined ? 'not measured' : `**${((num(poll['worstCaseMs']) as number) / 1000).toFixed(1)} s** worst case`, met: met(num(poll['worstCaseMs']) === undefined ? undefined : (num(poll['worstCaseMs']) as number) < 70_000) });

  const slack = obj(results['slack']);
  const ackOver = num(slack['offboardAckWorstOverLimit']);
  rows.push({ figure: "Slack ack, worst / Slack's 3 s", goal: 'under 1', value: fixed(ackOver, 4), met: met(ackOver === undefined ? undefined : ackOver < 1) });

  const planner = Array.isArray(results['planner']) ? (results['planner'] as unknown[]).map(obj) : [];
  const big = planner.at(-1);
  rows.push({ figure: `planner alone, ${(num(big?.['people']) ?? 0).toLocaleString('en-US')} people`, goal: '(reported)', value: big === undefined ? 'not measured' : `${String(num(big['ms']))} ms, peak RSS ${String(num(big['maxRssMb']))} MB`, met: '' });
  return rows;
}

/** The block for RESULTS.md: when and where, then the table. */
export function headlineBlock(results: Json): string {
  const machine = obj(results['machine']);
  const when = typeof results['generatedAt'] === 'string' ? results['generatedAt'].replace('T', ' ').slice(0, 16) + ' UTC' : 'unknown time';
  const lines = [
    HEADLINE_START,
    `From one \`npm run bench\` run, ${when}: ${String(num(machine['cpus']) ?? '?')} cores, ${typeof machine['model'] === 'string' ? machine['model'] : '?'}, ${String(num(machine['memoryGiB']) ?? '?')} GiB, CLI on Node ${typeof machine['node'] === 'string' ? machine['node'] : '?'}, load average ${fixed(num(machine['loadAverage1m']))} at the start. Raw numbers: \`results.json\`.`,
    '',
    '| figure | goal | this run | met |',
    '|---|---|---|---|',
    ...headlineRows(results).map((r) => `| ${r.figure} | ${r.goal} | ${r.value} | ${r.met} |`),
    HEADLINE_END,
  ];
  return lines.join('\n');
}

/** RESULTS.md with its headline block replaced (or put first when it has none yet). */
export function withHeadline(markdown: string, results: Json): string {
  const block = headlineBlock(results);
  const start = markdown.indexOf(HEADLINE_START);
  const end = markdown.indexOf(HEADLINE_END);
  if (start >= 0 && end > start) return markdown.slice(0, start) + block + markdown.slice(end + HEADLINE_END.length);
  const firstBreak = markdown.indexOf('\n');
  return firstBreak < 0 ? `${markdown}\n\n${block}\n` : `${markdown.slice(0, firstBreak + 1)}\n${block}\n${markdown.slice(firstBreak + 1)}`;
}
