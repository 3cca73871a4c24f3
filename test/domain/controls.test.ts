import { CONTROLS, citation } from '../../src/domain/controls';
import type { Control } from '../../src/domain/plan';

const ALL: readonly Control[] = [
  'offboarding-24h',
  'least-privilege',
  'credential-hygiene',
  'access-logging',
  'account-ownership',
  'joiner-acceptance',
  'no-full-rights',
  'minimal-root-use',
  'session-timeouts',
];

describe('controls', () => {
  it('defines every control with its own key, and quotes a part of its clause', () => {
    expect(Object.keys(CONTROLS).sort()).toEqual([...ALL].sort());
    for (const control of ALL) {
      const definition = CONTROLS[control];
      expect(definition.control).toBe(control);
      expect(definition.clause).toContain(definition.quote);
    }
  });

  it('cites the clauses the product enforces', () => {
    expect(CONTROLS['offboarding-24h'].clause).toContain('restricted from accessing any actiTIME servers within 24 hours');
    expect(CONTROLS['offboarding-24h'].clause).toContain('User accounts of terminated staff are promptly disabled and removed');
    expect(CONTROLS['least-privilege'].clause).toContain('minimally given sufficient access rights to enable them to perform their job function');
    expect(CONTROLS['access-logging'].clause).toContain('access events are available for later auditing');
    expect(CONTROLS['joiner-acceptance'].clause).toContain('Access to the corporate and production environments is granted only upon completion of this process');
    expect(CONTROLS['no-full-rights'].clause).toContain('none of the staff members is granted full rights to access any system');
    expect(CONTROLS['minimal-root-use'].clause).toBe('Use of the Admin/Administrator/root accounts is kept to a minimum.');
    expect(CONTROLS['session-timeouts'].clause).toContain('Session timeouts are kept in accordance with the best business practices');
  });

  it('citation quotes the short clause', () => {
    expect(citation('least-privilege')).toBe('policy: "…minimally given sufficient access rights to enable them to perform their job function…"');
  });
});
