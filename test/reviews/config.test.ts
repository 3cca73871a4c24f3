import cron from 'node-cron';
import { parseConfig } from '../../src/config/load';
import { reviewCron } from '../../src/app/reviews/schedule';

const config = (reviews: string): string => `roster: { path: ./roster.csv }\n${reviews}`;

describe('config reviews', () => {
  it('defaults to reminders after 3 days, escalation after 7, due after 14, undecided kept, scope all, no schedule', () => {
    expect(parseConfig(config(''), '/x/warden.yaml').config.reviews).toEqual({ remindAfterDays: 3, escalateAfterDays: 7, dueAfterDays: 14, undecided: 'keep', scope: 'all' });
  });

  it('takes its keys and refuses bad ones, naming them', () => {
    const parsed = parseConfig(config('reviews: { remindAfterDays: 2, escalateAfterDays: 4, undecided: revoke, scope: "department:Sales", schedule: quarterly }\n'), '/x/w.yaml');
    expect(parsed.config.reviews).toMatchObject({ remindAfterDays: 2, escalateAfterDays: 4, undecided: 'revoke', scope: 'department:Sales', schedule: 'quarterly' });
    expect(() => parseConfig(config('reviews: { remindAfterDays: 5, escalateAfterDays: 4 }\n'), '/x/w.yaml')).toThrow(/reviews\.escalateAfterDays/);
    expect(() => parseConfig(config('reviews: { undecided: maybe }\n'), '/x/w.yaml')).toThrow(/reviews\.undecided/);
    expect(() => parseConfig(config('reviews: { scope: "account:12" }\n'), '/x/w.yaml')).toThrow(/reviews\.scope/);
  });

  it('reads schedule presets as cron expressions and passes a cron expression through', () => {
    expect(reviewCron('quarterly')).toBe('0 9 1 1,4,7,10 *');
    expect(reviewCron(' Monthly ')).toBe('0 9 1 * *');
    expect(reviewCron('30 8 1 */3 *')).toBe('30 8 1 */3 *');
    for (const preset of ['quarterly', 'monthly', 'yearly']) expect(cron.validate(reviewCron(preset))).toBe(true);
    expect(cron.validate(reviewCron('every so often'))).toBe(false);
  });
});
