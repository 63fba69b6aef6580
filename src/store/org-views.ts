// Read-only views of one organisation's data for the admin API: its users, its contacts,
// its metadata records and its dead letters, never another organisation's.

import { sql, type Kysely } from 'kysely';

import type { ChatSessionId, ConnectionId, ContactId, DeliveryId, OrgId, UserId } from '../core/ids.js';
import { toDeadLetter, toMetadata } from './repo.js';
import type { Database } from './schema.js';
import type { DeadLetterRecord, MetadataRecord } from './types.js';

export interface OrgUser {
  id: UserId;
  email: string | null;
  displayName: string | null;
  connectionId: ConnectionId;
  presence: string | null;
  suspended: boolean;
}

export interface OrgContact {
  id: ContactId;
  sessionId: ChatSessionId;
  userA: string;
  userB: string;
  status: string;
  createdAt: number;
  endedAt: number | null;
}

export interface MetadataFilter {
  /** Records where this address sent or received. */
  user?: string | undefined;
  type?: string | undefined;
  sessionId?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  afterSeq?: number | undefined;
  /** Records before this sequence number, for paging newest first. */
  beforeSeq?: number | undefined;
  /** `asc` (oldest first, the default) or `desc` (newest first). */
  order?: 'asc' | 'desc' | undefined;
  limit: number;
}

export interface OrgInvitation {
  id: string;
  from: string;
  to: string;
  status: string;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
}

export class OrgViews {
  constructor(private readonly db: Kysely<Database>) {}

  async users(orgId: OrgId, limit: number, afterEmail = ''): Promise<OrgUser[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'email', 'display_name', 'connection_id', 'presence', 'suspended_at'])
      .where('org_id', '=', orgId)
      .where('email', '>', afterEmail)
      .orderBy('email')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id as UserId,
      email: r.email,
      displayName: r.display_name,
      connectionId: r.connection_id as ConnectionId,
      presence: r.presence,
      suspended: r.suspended_at !== null,
    }));
  }

  /** Contacts with at least one user in the organisation, newest first. */
  async contacts(orgId: OrgId, limit: number): Promise<OrgContact[]> {
    const rows = await this.db
      .selectFrom('contacts as c')
      .innerJoin('users as a', 'a.id', 'c.user_a_id')
      .innerJoin('users as b', 'b.id', 'c.user_b_id')
      .select(['c.id', 'c.session_id', 'c.status', 'c.created_at', 'c.ended_at', 'a.email as a_email', 'b.email as b_email', 'a.id as a_id', 'b.id as b_id'])
      .where((eb) => eb.or([eb('a.org_id', '=', orgId), eb('b.org_id', '=', orgId)]))
      .orderBy('c.created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id as ContactId,
      sessionId: r.session_id as ChatSessionId,
      userA: r.a_email ?? r.a_id,
      userB: r.b_email ?? r.b_id,
      status: r.status,
      createdAt: Number(r.created_at),
      endedAt: r.ended_at === null ? null : Number(r.ended_at),
    }));
  }

  /** Names and domains of these organisations, by id. */
  async orgs(ids: readonly OrgId[]): Promise<Array<{ id: OrgId; name: string; domains: string[] }>> {
    if (ids.length === 0) return [];
    const orgs = await this.db.selectFrom('orgs').select(['id', 'name']).where('id', 'in', [...ids]).orderBy('id').execute();
    const domains = await this.db.selectFrom('domains').select(['domain', 'org_id']).where('org_id', 'in', [...ids]).where('verified', '=', 1).orderBy('domain').execute();
    return orgs.map((o) => ({ id: o.id as OrgId, name: o.name, domains: domains.filter((d) => d.org_id === o.id).map((d) => d.domain) }));
  }

  /** Deliveries waiting in the outbox per connection of the organisation, and the oldest one's queue time. */
  async queue(orgId: OrgId): Promise<Map<string, { waiting: number; oldestAt: number }>> {
    const rows = await this.db
      .selectFrom('outbox as o')
      .innerJoin('connections as c', 'c.id', 'o.connection_id')
      .select(['o.connection_id', sql<number>`count(*)`.as('waiting'), sql<number>`min(o.created_at)`.as('oldest')])
      .where('c.org_id', '=', orgId)
      .groupBy('o.connection_id')
      .execute();
    return new Map(rows.map((r) => [r.connection_id, { waiting: Number(r.waiting), oldestAt: Number(r.oldest) }]));
  }

  /** Invitations from or to the organisation's users, newest first, with their status. */
  async invitations(orgId: OrgId, limit: number): Promise<OrgInvitation[]> {
    const rows = await this.db
      .selectFrom('invitations as i')
      .innerJoin('users as f', 'f.id', 'i.from_user_id')
      .innerJoin('users as t', 't.id', 'i.to_user_id')
      .select(['i.id', 'i.to_email', 'i.status', 'i.created_at', 'i.expires_at', 'i.decided_at', 'f.email as from_email', 'f.id as from_id'])
      .where((eb) => eb.or([eb('f.org_id', '=', orgId), eb('t.org_id', '=', orgId)]))
      .orderBy('i.created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      from: r.from_email ?? r.from_id,
      to: r.to_email,
      status: r.status,
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
      decidedAt: r.decided_at === null ? null : Number(r.decided_at),
    }));
  }

  /** Metadata records the organisation sent or received, oldest first after `afterSeq`. */
  async metadata(orgId: OrgId, filter: MetadataFilter): Promise<MetadataRecord[]> {
    let query = this.db
      .selectFrom('metadata_log')
      .selectAll()
      .where((eb) => eb.or([eb('source_org', '=', orgId), eb('target_org', '=', orgId)]));
    if (filter.user !== undefined) {
      const user = filter.user;
      query = query.where((eb) => eb.or([eb('sender', '=', user), eb('receiver', '=', user)]));
    }
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    if (filter.sessionId !== undefined) query = query.where('session_id', '=', filter.sessionId);
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<', filter.to);
    if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
    if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
    const rows = await query.orderBy('seq', filter.order ?? 'asc').limit(filter.limit).execute();
    return rows.map(toMetadata);
  }

  /** Dead letters bound for the organisation's connections, newest first; never their content. */
  async deadLetters(orgId: OrgId, limit: number): Promise<DeadLetterRecord[]> {
    const rows = await this.db
      .selectFrom('dead_letters as d')
      .innerJoin('connections as c', 'c.id', 'd.connection_id')
      .select(['d.id', 'd.connection_id', 'd.session_id', 'd.event_id', 'd.reason', 'd.attempts', 'd.created_at', 'd.failed_at'])
      .where('c.org_id', '=', orgId)
      .orderBy('d.failed_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toDeadLetter);
  }

  /** Returns the dead letter's payload, if it is bound for one of the organisation's connections. */
  async deadLetterPayload(orgId: OrgId, id: DeliveryId): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('dead_letters as d')
      .innerJoin('connections as c', 'c.id', 'd.connection_id')
      .select('d.payload')
      .where('c.org_id', '=', orgId)
      .where('d.id', '=', id)
      .executeTakeFirst();
    return row?.payload;
  }
}
