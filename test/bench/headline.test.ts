import { HEADLINE_END, HEADLINE_START, headlineRows, withHeadline } from '../../bench/headline';

/** A results.json as one full run writes it, trimmed to what the headline reads. */
function results(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    generatedAt: '2026-12-04T04:40:00.000Z',
    machine: { cpus: 2, model: 'AMD EPYC', memoryGiB: 24, node: 'v20.20.2', loadAverage1m: 0.4 },
    startup: { ratio: 1.17, goalRatio: 5 },
    iamCalls: {
      users: 5000,
      wardenCalls: 479,
      naiveCalls: 40005,
      liveReadsPerLeaver: 9.36,
      liveReadsPerLeaverByApi: { ListAccessKeys: 1, GetLoginProfile: 1, ListMFADevices: 1, ListGroupsForUser: 1, ListAttachedUserPolicies: 1, ListUserPolicies: 1, ListSSHPublicKeys: 1, ListSigningCertificates: 1, ListServiceSpecificCredentials: 1, GetSSHPublicKey: 0.32 },
      bySize: [
        { users: 1000, bulkCalls: 6 },
        { users: 5000, bulkCalls: 11 },
        { users: 10000, bulkCalls: 17 },
      ],
    },
    throttledPlan: { wallOverIdeal: 1.06 },
    wholeOrg: {
      oneRun: { accounts: 20, usersPerAccount: 5000, ratePerSecondPerAccount: 10, wallOverIdeal: 1.08, peakRssMiB: 719 },
      workerAlone: { wallOverIdeal: 0.99, peakRssMiB: 188 },
      fanOut: { accounts: 20, wallOverIdeal: 1.15, peakRssMiB: 1022 },
    },
    ssmCalls: { ssm_calls_goal_per_1000_hosts: 60, ssm_calls_per_1000_hosts_1000_hosts_s3_with_timed_polling: 52, ssm_calls_per_1000_hosts_1000_hosts_with_timed_polling: 159 },
    coldStart: {
      node: 'v24.21.0',
      bareNodeMs: 34.7,
      loadAverage1m: 1.3,
      functions: ['reconcile', 'worker', 'slack'].map((name, i) => ({ name, goalMs: 300, medianTotalMs: [192.3, 290, 268.2][i], runs: [1, 2, 3, 4, 5] })),
    },
    identityCenter: { wardenOverMinimal: 1, warden: { calls: 653 }, minimalLoop: { calls: 653 } },
    trail: { eventToReRevokedMs: { median: 128, max: 140 }, poll: { worstCaseMs: 60517 } },
    slack: { offboardAckWorstOverLimit: 0.00258 },
    planner: [{ people: 10000, ms: 140, maxRssMb: 126 }, { people: 100000, ms: 1187, maxRssMb: 394 }],
    ...overrides,
  };
}

const metOf = (rows: ReturnType<typeof headlineRows>, figure: RegExp): string => {
  const row = rows.find((r) => figure.test(r.figure));
  if (row === undefined) throw new Error(`no row ${String(figure)}`);
  return row.met;
};

describe('the bench headline table', () => {
  it('judges each figure against its goal from the run itself', () => {
    const rows = headlineRows(results());
    expect(metOf(rows, /warden --help/)).toBe('yes');
    expect(metOf(rows, /bulk inventory/)).toBe('yes');
    expect(metOf(rows, /whole organization/)).toBe('yes');
    expect(metOf(rows, /SSM calls/)).toBe('yes, with the bucket');
    expect(metOf(rows, /cold start/)).toBe('yes');
    expect(metOf(rows, /Identity Center/)).toBe('yes');
    expect(metOf(rows, /CloudTrail event/)).toBe('yes');
    expect(metOf(rows, /s polling \(before/)).toBe('yes');
  });

  it('says no when a figure misses its goal, and names the function over the cold-start goal', () => {
    const base = results();
    const cold = base['coldStart'] as { functions: { name: string; medianTotalMs: number }[] };
    const slow = { ...cold, functions: cold.functions.map((f) => (f.name === 'worker' ? { ...f, medianTotalMs: 300 } : f)) };
    const org = base['wholeOrg'] as { oneRun: object; workerAlone: object; fanOut: object };
    const rows = headlineRows(
      results({
        coldStart: slow,
        wholeOrg: { ...org, workerAlone: { ...org.workerAlone, wallOverIdeal: 1.11 } },
        iamCalls: { ...(base['iamCalls'] as object), bySize: [{ users: 1000, bulkCalls: 6 }, { users: 5000, bulkCalls: 5001 }] },
        startup: { ratio: 5.01, goalRatio: 5 },
        ssmCalls: { ssm_calls_goal_per_1000_hosts: 60, ssm_calls_per_1000_hosts_1000_hosts_s3_with_timed_polling: 61 },
      }),
    );
    expect(metOf(rows, /cold start/)).toBe('**no** (worker)');
    expect(metOf(rows, /whole organization/)).toBe('**no**');
    expect(metOf(rows, /bulk inventory/)).toBe('**no**');
    expect(metOf(rows, /warden --help/)).toBe('**no**');
    expect(metOf(rows, /SSM calls/)).toBe('**no**');
  });

  it('judges the whole organization by one plan and by each fan-out worker, not by every plan on one thread', () => {
    const org = results()['wholeOrg'] as { oneRun: object; workerAlone: object; fanOut: object };
    const judged = (changes: Partial<Record<'oneRun' | 'workerAlone' | 'fanOut', number>>): string =>
      metOf(
        headlineRows(
          results({
            wholeOrg: Object.fromEntries(Object.entries(org).map(([mode, figure]) => [mode, { ...figure, ...(changes[mode as keyof typeof changes] !== undefined ? { wallOverIdeal: changes[mode as keyof typeof changes] } : {}) }])),
          }),
        ),
        /whole organization/,
      );

    expect(judged({ fanOut: 1.3 })).toBe('yes');
    expect(judged({ oneRun: 1.1, workerAlone: 1.1 })).toBe('yes');
    expect(judged({ oneRun: 1.11 })).toBe('**no**');
    expect(judged({ workerAlone: 1.11 })).toBe('**no**');
    const { workerAlone: _dropped, ...older } = org; // a results.json from before the worker was measured alone
    expect(metOf(headlineRows(results({ wholeOrg: older })), /whole organization/)).toBe('**no**');
  });

  it('says "not measured" for a section the run does not have, never "yes"', () => {
    const rows = headlineRows(results({ wholeOrg: undefined, coldStart: undefined, startup: undefined }));
    expect(metOf(rows, /whole organization/)).toBe('not measured');
    expect(metOf(rows, /cold start/)).toBe('not measured');
    expect(metOf(rows, /warden --help/)).toBe('not measured');
  });

  it('replaces only its own block in RESULTS.md, and puts it under the title the first time', () => {
    const first = withHeadline('# Benchmark figures\n\n## History\n\nold text\n', results());
    expect(first.startsWith(`# Benchmark figures\n\n${HEADLINE_START}\nFrom one \`npm run bench\` run, 2026-12-04 04:40 UTC`)).toBe(true);
    expect(first).toContain('## History\n\nold text\n');
    const again = withHeadline(first, results({ generatedAt: '2026-12-05T01:00:00.000Z' }));
    expect(again.split(HEADLINE_START)).toHaveLength(2);
    expect(again.split(HEADLINE_END)).toHaveLength(2);
    expect(again).toContain('2026-12-05 01:00 UTC');
    expect(again).not.toContain('2026-12-04 04:40 UTC');
    expect(again).toContain('## History\n\nold text\n');
  });
});
