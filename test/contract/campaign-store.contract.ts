import { decide, remind } from '../../src/domain/reviews/campaign';
import type { CampaignStore } from '../../src/ports/reviews';
import { at, createDummyCampaign, createDummyPacket } from '../reviews/builders';

/** What a campaign store implementation gives the contract suite. */
export interface CampaignStoreFixture {
  readonly store: CampaignStore;
  /** A second, independent handle on the same storage (another connection, process or Lambda). */
  openSecond(): Promise<CampaignStore>;
  cleanup(): Promise<void>;
}

const mona = { by: 'slack:U0MONA', at: at(1), as: 'reviewer' as const };

/** The behaviour every CampaignStore must have (memory, SQLite, DynamoDB): one suite, run against each. */
export function campaignStoreContract(name: string, factory: () => Promise<CampaignStoreFixture>): void {
  describe(`CampaignStore contract: ${name}`, () => {
    let fixture: CampaignStoreFixture;
    let store: CampaignStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('reads back exactly what was created, dates as Dates, from another handle too', async () => {
      const campaign = createDummyCampaign({ scope: { kind: 'department', name: 'Engineering <R&D>' } });
      const packet = { ...createDummyPacket(campaign), message: { channel: 'D0MONA', ts: '1700000000.000100' }, remindedAt: at(3) };
      const other = createDummyPacket(campaign, { id: 'E8', person: { employeeId: 'E8', email: 'dave@example.com' }, reviewer: { kind: 'hr', why: 'no-manager' } });

      expect(await store.create(campaign, [packet, other])).toBe(true);

      const second = await fixture.openSecond();
      expect(await second.getCampaign(campaign.id)).toEqual(campaign);
      expect(await second.packets(campaign.id)).toEqual([packet, other]);
      expect(await second.getPacket(campaign.id, 'E8')).toEqual(other);
      expect((await second.getPacket(campaign.id, 'E7'))?.remindedAt).toBeInstanceOf(Date);
      expect(await second.getPacket(campaign.id, 'E99')).toBeUndefined();
      expect(await second.getCampaign('no-such')).toBeUndefined();
    });

    it('refuses a second create with the same id and keeps the first', async () => {
      const campaign = createDummyCampaign();
      await store.create(campaign, [createDummyPacket(campaign)]);
      expect(await store.create({ ...campaign, startedBy: 'cli:mallory' }, [])).toBe(false);
      expect((await store.getCampaign(campaign.id))?.startedBy).toBe('cli:test');
      expect(await store.packets(campaign.id)).toHaveLength(1);
    });

    it('lets exactly one of two concurrent creates of one id win, and keeps the winner\'s packets (a scheduled slot started twice)', async () => {
      const campaign = createDummyCampaign({ id: 'rev-sched-20270101T0900Z' });
      const ids = ['E1', 'E2', 'E3', 'E4', 'E5'];
      const packetsBy = (reviewer: string) =>
        ids.map((id) => createDummyPacket(campaign, { id, person: { employeeId: id, email: `${id.toLowerCase()}@example.com` }, reviewer: { kind: 'manager', email: reviewer } }));
      const second = await fixture.openSecond();
      const [a, b] = await Promise.all([
        store.create({ ...campaign, startedBy: 'system:a' }, packetsBy('a@example.com')),
        second.create({ ...campaign, startedBy: 'system:b' }, packetsBy('b@example.com')),
      ]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      const winner = a ? 'a' : 'b';
      expect((await store.getCampaign(campaign.id))?.startedBy).toBe(`system:${winner}`);
      const reviewers = (await store.packets(campaign.id)).map((p) => (p.reviewer.kind === 'manager' ? p.reviewer.email : 'hr'));
      expect(reviewers).toEqual(ids.map(() => `${winner}@example.com`));
    });

    it('lists campaigns newest first and keeps each campaign\'s packets apart', async () => {
      const older = createDummyCampaign({ startedAt: at(-90) });
      const newer = createDummyCampaign({ startedAt: at(0) });
      await store.create(older, [createDummyPacket(older)]);
      await store.create(newer, [createDummyPacket(newer), createDummyPacket(newer, { id: 'E8' })]);
      expect((await store.listCampaigns()).map((c) => c.id)).toEqual([newer.id, older.id]);
      expect((await store.packets(older.id)).map((p) => p.campaignId)).toEqual([older.id]);
      expect(await store.packets(newer.id)).toHaveLength(2);
    });

    it('applies a packet transition and leaves the packet untouched when the transition refuses', async () => {
      const campaign = createDummyCampaign();
      const packet = createDummyPacket(campaign);
      await store.create(campaign, [packet]);
      const itemId = packet.items[0]?.id ?? '';

      const first = await store.updatePacket(campaign.id, 'E7', (p) => decide(campaign, p, { kind: 'item', itemId, verdict: 'revoke' }, mona));
      const again = await store.updatePacket(campaign.id, 'E7', (p) => decide(campaign, p, { kind: 'item', itemId, verdict: 'keep' }, mona));

      expect(first.ok).toBe(true);
      expect(again).toEqual({ ok: false, reason: 'already-decided' });
      const stored = await (await fixture.openSecond()).getPacket(campaign.id, 'E7');
      expect(stored?.items[0]?.decision).toEqual({ verdict: 'revoke', ...mona });
      expect(await store.updatePacket(campaign.id, 'E99', (p) => ({ ok: true, packet: p, decided: [] }))).toEqual({ ok: false, reason: 'not-found' });
    });

    it('never loses a decision to a concurrent writer on another handle (each judges what the other wrote)', async () => {
      const campaign = createDummyCampaign();
      const packet = createDummyPacket(campaign);
      await store.create(campaign, [packet]);
      const second = await fixture.openSecond();
      const [a, b] = packet.items.map((i) => i.id);

      const results = await Promise.all([
        store.updatePacket(campaign.id, 'E7', (p) => decide(campaign, p, { kind: 'item', itemId: a ?? '', verdict: 'keep' }, mona)),
        second.updatePacket(campaign.id, 'E7', (p) => decide(campaign, p, { kind: 'item', itemId: b ?? '', verdict: 'revoke' }, mona)),
        store.updatePacket(campaign.id, 'E7', (p) => ({ ok: true, packet: remind(p, at(3)), decided: [] })),
      ]);

      expect(results.every((r) => r.ok)).toBe(true);
      const stored = await store.getPacket(campaign.id, 'E7');
      expect(stored?.items.map((i) => i.decision?.verdict)).toEqual(['keep', 'revoke']);
      expect(stored?.remindedAt).toEqual(at(3));
    });

    it('closes an open campaign once: a second close says it was already closed', async () => {
      const campaign = createDummyCampaign();
      await store.create(campaign, []);
      const second = await fixture.openSecond();

      const [one, two] = await Promise.all([store.closeCampaign(campaign.id, at(14)), second.closeCampaign(campaign.id, at(14))]);

      expect([one, two].filter((c) => c !== undefined)).toHaveLength(1);
      expect(await store.getCampaign(campaign.id)).toEqual({ ...campaign, status: 'closed', closedAt: at(14) });
      expect(await store.closeCampaign('no-such', at(14))).toBeUndefined();
    });
  });
}
