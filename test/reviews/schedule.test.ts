import { parseConfig } from '../../src/config/load';
import { cronMatches, parseCron, reviewCron } from '../../src/domain/reviews/cron';
import { dueSlot, reviewClockDue, scheduledCampaignId, type ReviewSchedule } from '../../src/app/reviews/scheduled';
import { tickReviews } from '../../src/app/reviews/tick';
import { reviewDeps } from './fixtures';

const quarterly: ReviewSchedule = { cron: '0 9 1 1,4,7,10 *', timezone: 'Europe/Berlin', scope: { kind: 'all' } };
const t = (iso: string): Date => new Date(iso);

describe('the schedule slot that is due', () => {
  it('is the latest slot at or before now, in the config time zone, for a day after it', () => {
    // 09:00 in Berlin on 1 January is 08:00 UTC.
    expect(dueSlot(quarterly, t('2027-01-01T07:59:59Z'))).toBeUndefined();
    expect(dueSlot(quarterly, t('2027-01-01T08:00:00Z'))).toEqual(t('2027-01-01T08:00:00Z'));
    expect(dueSlot(quarterly, t('2027-01-01T20:17:00Z'))).toEqual(t('2027-01-01T08:00:00Z'));
    expect(dueSlot(quarterly, t('2027-01-02T07:59:00Z'))).toEqual(t('2027-01-01T08:00:00Z'));
    expect(dueSlot(quarterly, t('2027-01-02T08:00:00Z'))).toBeUndefined();
    // Summer time: 09:00 in Berlin on 1 July is 07:00 UTC.
    expect(dueSlot(quarterly, t('2027-07-01T07:30:00Z'))).toEqual(t('2027-07-01T07:00:00Z'));
  });

  it('finds slots in zones whose offset is not whole hours', () => {
    const kolkata: ReviewSchedule = { ...quarterly, cron: '15 9 * * 1', timezone: 'Asia/Kolkata' };
    // Monday 4 January 2027 09:15 in Kolkata (+05:30) is 03:45 UTC.
    expect(dueSlot(kolkata, t('2027-01-04T03:44:00Z'))).toBeUndefined();
    expect(dueSlot(kolkata, t('2027-01-04T04:00:00Z'))).toEqual(t('2027-01-04T03:45:00Z'));
  });

  it('names the campaign after its slot, so every tick and retry names the same one', () => {
    expect(scheduledCampaignId(t('2027-01-01T08:00:00Z'))).toBe('rev-sched-20270101T0800Z');
  });

  it('refuses an expression that is not cron', () => {
    expect(() => dueSlot({ ...quarterly, cron: 'every so often' }, t('2027-01-01T08:00:00Z'))).toThrow(/reviews\.schedule/);
  });
});

describe('the review clock on the schedule', () => {
  const scheduled = () => {
    const world = reviewDeps();
    const { newId: _ignored, ...rest } = world.deps;
    return { ...world, deps: { ...rest, schedule: quarterly } };
  };

  it('starts nothing before the slot, one campaign at it, and none again on later ticks or a retry', async () => {
    const { deps, clock, campaigns, messenger, audit } = scheduled();
    clock.set(t('2027-01-01T07:00:00Z'));
    expect((await tickReviews(deps)).started).toEqual([]);
    expect(await campaigns.listCampaigns()).toEqual([]);

    clock.set(t('2027-01-01T08:00:00Z'));
    expect((await tickReviews(deps)).started).toEqual(['rev-sched-20270101T0800Z']);
    for (const at of ['2027-01-01T08:00:00Z', '2027-01-01T09:00:00Z', '2027-01-01T23:00:00Z']) {
      clock.set(t(at));
      expect((await tickReviews(deps)).started).toEqual([]);
    }
    const listed = await campaigns.listCampaigns();
    expect(listed.map((c) => [c.id, c.startedBy, c.scope])).toEqual([['rev-sched-20270101T0800Z', 'system', { kind: 'all' }]]);
    expect(messenger.said.filter((s) => s.kind === 'send')).toHaveLength(4);
    expect((await audit.query({})).filter((e) => e.action === 'review.started').map((e) => e.actor)).toEqual(['system']);
  });

  it('starts one campaign when two ticks run at once', async () => {
    const { deps, clock, campaigns, messenger } = scheduled();
    clock.set(t('2027-01-01T08:05:00Z'));
    const ticks = await Promise.all([tickReviews(deps), tickReviews(deps)]);
    expect(ticks.flatMap((tick) => tick.started)).toEqual(['rev-sched-20270101T0800Z']);
    expect(await campaigns.listCampaigns()).toHaveLength(1);
    expect(messenger.said.filter((s) => s.kind === 'send')).toHaveLength(4);
  });

  it('says whether the clock has anything to do: an open campaign, or a slot with no campaign yet', async () => {
    const { deps, clock, campaigns } = scheduled();
    expect(await reviewClockDue(campaigns, quarterly, t('2027-01-01T07:00:00Z'))).toBeUndefined();
    expect(await reviewClockDue(campaigns, undefined, t('2027-01-01T08:00:00Z'))).toBeUndefined();
    expect(await reviewClockDue(campaigns, quarterly, t('2027-01-01T08:00:00Z'))).toBe('slot-due');
    clock.set(t('2027-01-01T08:00:00Z'));
    await tickReviews(deps);
    expect(await reviewClockDue(campaigns, quarterly, t('2027-01-01T09:00:00Z'))).toBe('open-campaign');
    expect(await reviewClockDue(campaigns, undefined, t('2027-01-01T09:00:00Z'))).toBe('open-campaign');
    // After its due date the clock closes it; then nothing is left to do until the next slot.
    clock.set(t('2027-01-20T08:00:00Z'));
    await tickReviews(deps);
    expect(await reviewClockDue(campaigns, quarterly, t('2027-01-20T09:00:00Z'))).toBeUndefined();
    expect(await reviewClockDue(campaigns, quarterly, t('2027-04-01T07:00:00Z'))).toBe('slot-due');
  });
});

describe('cron for reviews.schedule', () => {
  const slots = (expression: string, from: string, to: string, timezone = 'UTC'): string[] => {
    const spec = parseCron(expression);
    if ('error' in spec) throw new Error(spec.error);
    const out: string[] = [];
    for (let at = Date.parse(from); at < Date.parse(to); at += 60_000) if (cronMatches(spec, new Date(at), timezone)) out.push(new Date(at).toISOString().slice(0, 16));
    return out;
  };

  it('reads the presets, names, ranges, steps and lists', () => {
    expect(slots(reviewCron('quarterly'), '2027-03-31T00:00Z', '2027-04-02T00:00Z')).toEqual(['2027-04-01T09:00']);
    expect(slots(reviewCron('yearly'), '2027-01-01T00:00Z', '2027-01-03T00:00Z')).toEqual(['2027-01-02T09:00']);
    expect(slots('*/20 8-9 * * *', '2027-01-04T00:00Z', '2027-01-05T00:00Z')).toEqual(['08:00', '08:20', '08:40', '09:00', '09:20', '09:40'].map((t) => `2027-01-04T${t}`));
    expect(slots('30 7 * jan,Feb Sun', '2027-01-01T00:00Z', '2027-01-15T00:00Z')).toEqual(['2027-01-03T07:30', '2027-01-10T07:30']);
    // 7 is Sunday too; both day fields must match: the first Monday of the month.
    expect(slots('0 6 * * 7', '2027-01-01T00:00Z', '2027-01-08T00:00Z')).toEqual(['2027-01-03T06:00']);
    expect(slots('0 9 1-7 * mon', '2027-02-01T00:00Z', '2027-03-01T00:00Z')).toEqual(['2027-02-01T09:00']);
  });

  it('refuses what is not five-field cron, naming the field', () => {
    for (const bad of ['every so often', '0 9 * *', '0 0 9 * * *', '60 9 * * *', '0 24 * * *', '0 9 0 * *', '0 9 * 13 *', '0 9 * * 8', '*/0 * * * *', '5-1 * * * *', '0 9 L * *', '0 9 * * 1#2']) {
      expect(parseCron(bad)).toEqual({ error: expect.any(String) });
    }
    expect(parseCron('0 24 * * *')).toEqual({ error: expect.stringContaining('hour') });
  });

  it('is checked when the config is read', () => {
    expect(() => parseConfig('roster: { path: ./r.csv }\nreviews: { schedule: "every so often" }\n', '/x/w.yaml')).toThrow(/reviews\.schedule/);
    expect(parseConfig('roster: { path: ./r.csv }\nreviews: { schedule: "0 9 1-7 * mon" }\n', '/x/w.yaml').config.reviews.schedule).toBe('0 9 1-7 * mon');
  });
});
