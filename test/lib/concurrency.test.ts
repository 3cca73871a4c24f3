import { allAttempted, jitteredBackoff, Semaphore } from '../../src/lib/concurrency';

describe('Semaphore', () => {
  it('never runs more than the limit at once, even when tasks arrive as others finish', async () => {
    const gate = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const task = async (): Promise<void> => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running -= 1;
    };
    const first = Array.from({ length: 10 }, () => gate.run(task));
    await new Promise((r) => setImmediate(r));
    const late = Array.from({ length: 10 }, () => gate.run(task));

    await Promise.all([...first, ...late]);

    expect(peak).toBe(3);
    expect(running).toBe(0);
  });

  it('releases the slot when a task fails', async () => {
    const gate = new Semaphore(1);

    await expect(gate.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(gate.run(() => Promise.resolve(7))).resolves.toBe(7);
  });

  it('rejects a non-positive limit', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe('jitteredBackoff', () => {
  it('grows exponentially up to the cap', () => {
    const max = () => 0.999999;

    expect(jitteredBackoff(1, 100, 1000, max)).toBe(199);
    expect(jitteredBackoff(3, 100, 1000, max)).toBe(799);
    expect(jitteredBackoff(8, 100, 1000, max)).toBe(999);
    expect(jitteredBackoff(8, 100, 1000, () => 0)).toBe(0);
  });
});

describe('allAttempted', () => {
  const after = <T>(ms: number, value: T, events: string[], fail = false): Promise<T> =>
    new Promise((resolve, reject) =>
      setTimeout(() => {
        events.push(`${String(value)} done`);
        if (fail) reject(new Error(`${String(value)} failed`));
        else resolve(value);
      }, ms),
    );

  it('answers every result in the order given', async () => {
    const events: string[] = [];
    expect(await allAttempted([after(30, 'a', events), after(5, 'b', events)])).toEqual(['a', 'b']);
    expect(events).toEqual(['b done', 'a done']);
  });

  it('throws the first failure in the order given, only once every task has ended', async () => {
    const events: string[] = [];
    const tasks = [after(5, 'a', events), after(20, 'b', events, true), after(10, 'c', events, true), after(40, 'd', events)];

    await expect(allAttempted(tasks)).rejects.toThrow('b failed');
    expect(events).toEqual(['a done', 'c done', 'b done', 'd done']);
  });
});
