import type { Statement } from 'better-sqlite3';
import type { Campaign, CampaignStore, PacketChange, PacketTransition, ReviewPacket } from '../../ports/reviews';
import { migrate, resolveDatabase, type SqliteDatabase } from '../state/sqlite-database';
import { closed, decodeCampaign, decodePacket, encodeReview } from './codec';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE review_campaigns (id TEXT PRIMARY KEY, started_ms INTEGER NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL);
   CREATE TABLE review_packets (
     campaign_id TEXT NOT NULL,
     id TEXT NOT NULL,
     doc TEXT NOT NULL,
     PRIMARY KEY (campaign_id, id)
   );`,
];

interface Row {
  doc: string;
}

/** Campaigns in SQLite (better-sqlite3); can share the audit log's file and connection. */
export class SqliteCampaignStore implements CampaignStore {
  private readonly insertCampaign: Statement;
  private readonly insertPacket: Statement;
  private readonly updatePacketDoc: Statement;
  private readonly updateCampaignDoc: Statement;
  private readonly campaignById: Statement<[string], Row>;
  private readonly allCampaigns: Statement<[], Row>;
  private readonly packetsOf: Statement<[string], Row>;
  private readonly packetById: Statement<[string, string], Row>;
  private readonly createTx: (campaign: Campaign, packets: readonly ReviewPacket[]) => boolean;
  private readonly changeTx: (campaignId: string, packetId: string, transition: PacketTransition) => PacketChange;
  private readonly closeTx: (id: string, at: Date) => Campaign | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly owned = false,
  ) {
    migrate(db, 'reviews', MIGRATIONS);
    this.insertCampaign = db.prepare('INSERT INTO review_campaigns (id, started_ms, status, doc) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
    this.insertPacket = db.prepare('INSERT INTO review_packets (campaign_id, id, doc) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.updatePacketDoc = db.prepare('UPDATE review_packets SET doc = ? WHERE campaign_id = ? AND id = ?');
    this.updateCampaignDoc = db.prepare('UPDATE review_campaigns SET status = ?, doc = ? WHERE id = ?');
    this.campaignById = db.prepare<[string], Row>('SELECT doc FROM review_campaigns WHERE id = ?');
    this.allCampaigns = db.prepare<[], Row>('SELECT doc FROM review_campaigns ORDER BY started_ms DESC, id');
    this.packetsOf = db.prepare<[string], Row>('SELECT doc FROM review_packets WHERE campaign_id = ? ORDER BY id');
    this.packetById = db.prepare<[string, string], Row>('SELECT doc FROM review_packets WHERE campaign_id = ? AND id = ?');
    const create = db.transaction((campaign: Campaign, packets: readonly ReviewPacket[]): boolean => {
      if (this.campaignById.get(campaign.id) !== undefined) return false;
      for (const packet of packets) this.insertPacket.run(campaign.id, packet.id, encodeReview(packet));
      this.insertCampaign.run(campaign.id, campaign.startedAt.getTime(), campaign.status, encodeReview(campaign));
      return true;
    });
    this.createTx = (campaign, packets) => create.immediate(campaign, packets);
    const change = db.transaction((campaignId: string, packetId: string, transition: PacketTransition): PacketChange => {
      const row = this.packetById.get(campaignId, packetId);
      if (row === undefined) return { ok: false, reason: 'not-found' };
      const result = transition(decodePacket(row.doc));
      if (result.ok) this.updatePacketDoc.run(encodeReview(result.packet), campaignId, packetId);
      return result;
    });
    // IMMEDIATE: two processes deciding one packet serialise on the write lock before reading.
    this.changeTx = (campaignId, packetId, transition) => change.immediate(campaignId, packetId, transition);
    const close = db.transaction((id: string, at: Date): Campaign | undefined => {
      const row = this.campaignById.get(id);
      const next = row === undefined ? undefined : closed(decodeCampaign(row.doc), at);
      if (next !== undefined) this.updateCampaignDoc.run(next.status, encodeReview(next), id);
      return next;
    });
    this.closeTx = (id, at) => close.immediate(id, at);
  }

  /** Opens the store at `path` (creating folders and tables), or wraps a shared connection. */
  static open(source: string | SqliteDatabase): SqliteCampaignStore {
    const { db, owned } = resolveDatabase(source);
    try {
      return new SqliteCampaignStore(db, owned);
    } catch (error) {
      if (owned) db.close();
      throw error;
    }
  }

  async create(campaign: Campaign, packets: readonly ReviewPacket[]): Promise<boolean> {
    return this.createTx(campaign, packets);
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const row = this.campaignById.get(id);
    return row === undefined ? undefined : decodeCampaign(row.doc);
  }

  async listCampaigns(): Promise<readonly Campaign[]> {
    return this.allCampaigns.all().map((r) => decodeCampaign(r.doc));
  }

  async packets(campaignId: string): Promise<readonly ReviewPacket[]> {
    return this.packetsOf.all(campaignId).map((r) => decodePacket(r.doc));
  }

  async getPacket(campaignId: string, packetId: string): Promise<ReviewPacket | undefined> {
    const row = this.packetById.get(campaignId, packetId);
    return row === undefined ? undefined : decodePacket(row.doc);
  }

  async updatePacket(campaignId: string, packetId: string, transition: PacketTransition): Promise<PacketChange> {
    return this.changeTx(campaignId, packetId, transition);
  }

  async closeCampaign(id: string, at: Date): Promise<Campaign | undefined> {
    return this.closeTx(id, at);
  }

  /** Closes the connection if this store opened it. */
  close(): void {
    if (this.owned) this.db.close();
  }
}
