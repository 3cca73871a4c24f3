import { benchSlack } from '../../bench/slack';

describe('bench/slack.ts', () => {
  it('measures acks and confirm-to-verified revocation end to end (small run)', async () => {
    const result = await benchSlack({ requests: 3, leavers: 2, staff: 6 });

    expect(result.requests).toBe(3);
    expect(result.leavers).toBe(2);
    for (const ms of [result.offboardAckMedianMs, result.confirmAckMedianMs, result.lambdaOffboardAckMedianMs, result.confirmToNoAccessMedianMs]) {
      expect(ms).toBeGreaterThan(0);
    }
    expect(result.offboardAckWorstMs).toBeGreaterThanOrEqual(result.offboardAckMedianMs);
    expect(result.offboardAckWorstOverLimit).toBeCloseTo(result.offboardAckWorstMs / 3000, 3);
    expect(result.confirmToNoAccessMedianOverPolicy).toBeLessThan(1);
    expect(result.iamCallsPerLeaverMedian).toBeGreaterThan(0);
  });
});
