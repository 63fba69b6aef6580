// Queries over one Kysely handle: the database itself or an open transaction. The same
// code serves SQLite and PostgreSQL.

import type { Kysely, Selectable } from 'kysely';

import type {
  ChatSessionId,
  ConnectionId,
  ContactId,
  DeliveryId,
  EventId,
  InvitationId,
  OrgId,
  PlatformConversationId,
  PlatformMessageId,
  PlatformUserId,
  UserId,
} from '../core/ids.js';
import type { PresenceStatus } from '../core/events.js';
import type { Platform } from '../core/platform.js';
import { ChannelRepo } from './channel-repo.js';
import type { ContactsTable, Database, InvitationsTable, MetadataLogTable, OutboxTable, UsersTable } from './schema.js';
import type {
  AuditInsert,
  AuditRecord,
  ContactRecord,
  DeadLetterRecord,
  InvitationRecord,
  InvitationStatus,
  MessageMapInsert,
  MetadataInsert,
  MetadataRecord,
  OutboxInsert,
  OutboxRecord,
  ProxyRecord,
  UserRecord,
} from './types.js';

export interface UserUpsert {
  id: UserId;
  connectionId: ConnectionId;
  platformUserId: PlatformUserId;
  email?: string | undefined;
  displayName?: string | undefined;
  avatarUrl?: string | undefined;
  orgId: OrgId;
  at: number;
}

export interface MetadataQuery {
  from?: number;
  to?: number;
  sessionId?: string;
  limit?: number;
  afterSeq?: number;
}

export class Repo {
  /** Shared channels, on the same handle: inside a transaction, part of it. */
  readonly channels: ChannelRepo;

  constructor(protected readonly db: Kysely<Database>) {
    this.channels = new ChannelRepo(db);
  }

  // Organisations, domains, connections: written from the config at start.

  async ensureOrg(id: OrgId, name: string, at: number): Promise<void> {
    await this.db
      .insertInto('orgs')
      .values({ id, name, created_at: at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name }))
      .execute();
  }

  async ensureDomain(domain: string, orgId: OrgId): Promise<void> {
    await this.db
      .insertInto('domains')
      .values({ domain, org_id: orgId, verified: 1 })
      .onConflict((oc) => oc.column('domain').doUpdateSet({ org_id: orgId }))
      .execute();
  }

  async ensureConnection(id: ConnectionId, orgId: OrgId, platform: Platform, at: number): Promise<void> {
    await this.db
      .insertInto('connections')
      .values({ id, org_id: orgId, platform, created_at: at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ org_id: orgId, platform }))
      .execute();
  }

  async getState(connectionId: ConnectionId, key: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('connection_state')
      .select('value')
      .where('connection_id', '=', connectionId)
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  async setState(connectionId: ConnectionId, key: string, value: string): Promise<void> {
    await this.db
      .insertInto('connection_state')
      .values({ connection_id: connectionId, key, value })
      .onConflict((oc) => oc.columns(['connection_id', 'key']).doUpdateSet({ value }))
      .execute();
  }

  /** Display names of organisations, by id. */
  async orgNames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('orgs').select(['id', 'name']).where('id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  // Users.

  /** Inserts a user or refreshes the email and name a platform reported; returns the row. */
  async upsertUser(user: UserUpsert): Promise<UserRecord> {
    const refresh: Partial<UsersTable> = {};
    if (user.email !== undefined) refresh.email = user.email.toLowerCase();
    if (user.displayName !== undefined) refresh.display_name = user.displayName;
    if (user.avatarUrl !== undefined) refresh.avatar_url = user.avatarUrl;

    const insert = this.db.insertInto('users').values({
      id: user.id,
      connection_id: user.connectionId,
      platform_user_id: user.platformUserId,
      email: user.email?.toLowerCase() ?? null,
      display_name: user.displayName ?? null,
      avatar_url: user.avatarUrl ?? null,
      org_id: user.orgId,
      created_at: user.at,
    });
    const row = await (Object.keys(refresh).length > 0
      ? insert.onConflict((oc) => oc.columns(['connection_id', 'platform_user_id']).doUpdateSet(refresh))
      : insert.onConflict((oc) => oc.columns(['connection_id', 'platform_user_id']).doNothing())
    ).execute();
    void row;

    const stored = await this.db
      .selectFrom('users')
      .selectAll()
      .where('connection_id', '=', user.connectionId)
      .where('platform_user_id', '=', user.platformUserId)
      .executeTakeFirstOrThrow();
    return toUser(stored);
  }

  async getUser(id: UserId): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async findUsersByEmail(email: string): Promise<UserRecord[]> {
    const rows = await this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).execute();
    return rows.map(toUser);
  }

  async findUserByPlatformId(connectionId: ConnectionId, platformUserId: PlatformUserId): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('platform_user_id', '=', platformUserId)
      .executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  // Invitations.

  async createInvitation(invitation: InvitationRecord): Promise<void> {
    await this.db
      .insertInto('invitations')
      .values({
        id: invitation.id,
        from_user_id: invitation.fromUserId,
        to_email: invitation.toEmail,
        to_user_id: invitation.toUserId,
        status: invitation.status,
        created_at: invitation.createdAt,
        expires_at: invitation.expiresAt,
        decided_at: invitation.decidedAt,
      })
      .execute();
  }

  /** Pending invitations addressed to a user that have not expired at `now`, oldest first. */
  async pendingInvitationsTo(toUserId: UserId, now: number): Promise<InvitationRecord[]> {
    const rows = await this.db
      .selectFrom('invitations')
      .selectAll()
      .where('to_user_id', '=', toUserId)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .orderBy('created_at')
      .execute();
    return rows.map(toInvitation);
  }

  async pendingInvitationsFrom(fromUserId: UserId, now: number): Promise<InvitationRecord[]> {
    const rows = await this.db
      .selectFrom('invitations')
      .selectAll()
      .where('from_user_id', '=', fromUserId)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .orderBy('created_at')
      .execute();
    return rows.map(toInvitation);
  }

  async countInvitationsSince(fromUserId: UserId, since: number): Promise<number> {
    const row = await this.db
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('from_user_id', '=', fromUserId)
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Invitations held until an admin approves a new partner domain, oldest first. */
  async invitationsAwaitingApproval(): Promise<InvitationRecord[]> {
    const rows = await this.db.selectFrom('invitations').selectAll().where('status', '=', 'awaiting_approval').orderBy('created_at').execute();
    return rows.map(toInvitation);
  }

  /** Sends a held invitation: it becomes pending, open until `expiresAt`. */
  async releaseInvitation(id: InvitationId, expiresAt: number): Promise<void> {
    await this.db.updateTable('invitations').set({ status: 'pending', expires_at: expiresAt }).where('id', '=', id).execute();
  }

  async setInvitationStatus(id: InvitationId, status: InvitationStatus, at: number): Promise<void> {
    await this.db.updateTable('invitations').set({ status, decided_at: at }).where('id', '=', id).execute();
  }

  /** Marks pending invitations past their expiry as expired and returns them. */
  async expireInvitations(now: number): Promise<InvitationRecord[]> {
    const rows = await this.db
      .selectFrom('invitations')
      .selectAll()
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .execute();
    if (rows.length === 0) return [];

    await this.db
      .updateTable('invitations')
      .set({ status: 'expired', decided_at: now })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows.map((r) => ({ ...toInvitation(r), status: 'expired' as const, decidedAt: now }));
  }

  // Chat sessions and contacts.

  async createSession(id: ChatSessionId, kind: 'direct' | 'channel', at: number): Promise<void> {
    await this.db.insertInto('chat_sessions').values({ id, kind, created_at: at }).execute();
  }

  async createContact(contact: ContactRecord): Promise<void> {
    await this.db
      .insertInto('contacts')
      .values({
        id: contact.id,
        user_a_id: contact.userAId,
        user_b_id: contact.userBId,
        session_id: contact.sessionId,
        status: contact.status,
        created_at: contact.createdAt,
        ended_at: contact.endedAt,
      })
      .execute();
  }

  async getContact(id: ContactId): Promise<ContactRecord | undefined> {
    const row = await this.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toContact(row) : undefined;
  }

  async activeContactBetween(a: UserId, b: UserId): Promise<ContactRecord | undefined> {
    const row = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('status', '=', 'active')
      .where((eb) =>
        eb.or([
          eb.and([eb('user_a_id', '=', a), eb('user_b_id', '=', b)]),
          eb.and([eb('user_a_id', '=', b), eb('user_b_id', '=', a)]),
        ]),
      )
      .executeTakeFirst();
    return row ? toContact(row) : undefined;
  }

  /** Lists every active contact, for the presence relay. */
  async allActiveContacts(): Promise<ContactRecord[]> {
    const rows = await this.db.selectFrom('contacts').selectAll().where('status', '=', 'active').orderBy('created_at').execute();
    return rows.map(toContact);
  }

  /** Stores a user's presence; returns false when it was already that. */
  async setPresence(userId: UserId, presence: PresenceStatus, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ presence, presence_at: at })
      .where('id', '=', userId)
      .where((eb) => eb.or([eb('presence', 'is', null), eb('presence', '!=', presence)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async activeContactsOf(userId: UserId): Promise<ContactRecord[]> {
    const rows = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('status', '=', 'active')
      .where((eb) => eb.or([eb('user_a_id', '=', userId), eb('user_b_id', '=', userId)]))
      .orderBy('created_at')
      .execute();
    return rows.map(toContact);
  }

  async endContact(id: ContactId, at: number, status: 'removed' | 'revoked' = 'removed'): Promise<void> {
    await this.db.updateTable('contacts').set({ status, ended_at: at }).where('id', '=', id).execute();
  }

  // Admin controls.

  async setUserSuspended(userId: UserId, at: number | null): Promise<void> {
    await this.db.updateTable('users').set({ suspended_at: at }).where('id', '=', userId).execute();
  }

  async storedPolicies(): Promise<Array<{ orgId: OrgId; policy: string }>> {
    const rows = await this.db.selectFrom('policies').select(['org_id', 'policy']).execute();
    return rows.map((r) => ({ orgId: r.org_id as OrgId, policy: r.policy }));
  }

  async storePolicy(orgId: OrgId, policy: string, at: number, actor: string): Promise<void> {
    await this.db
      .insertInto('policies')
      .values({ org_id: orgId, policy, updated_at: at, updated_by: actor })
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ policy, updated_at: at, updated_by: actor }))
      .execute();
  }

  async appendAudit(row: AuditInsert): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: row.at,
        actor: row.actor,
        source: row.source,
        action: row.action,
        org_id: row.orgId,
        target: row.target,
        old_value: row.oldValue,
        new_value: row.newValue,
      })
      .execute();
  }

  /**
   * Audit records, newest first: only one organisation's when `orgId` is given, older than
   * sequence number `before` for the next page, and of one `action` when given.
   */
  async listAudit(orgId?: OrgId, limit = 100, before?: number, action?: string): Promise<AuditRecord[]> {
    let query = this.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(limit);
    if (orgId !== undefined) query = query.where('org_id', '=', orgId);
    if (before !== undefined) query = query.where('seq', '<', before);
    if (action !== undefined) query = query.where('action', '=', action);
    const rows = await query.execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: Number(r.at),
      actor: r.actor,
      source: r.source,
      action: r.action,
      orgId: r.org_id as OrgId | null,
      target: r.target,
      oldValue: r.old_value,
      newValue: r.new_value,
    }));
  }

  /** Moves a chat session's queued deliveries to the dead letters; returns how many. */
  async deadLetterSession(sessionId: ChatSessionId, reason: string, at: number): Promise<number> {
    const rows = await this.db.selectFrom('outbox').selectAll().where('session_id', '=', sessionId).execute();
    for (const row of rows) await this.deadLetter(toOutbox(row), reason, at);
    return rows.length;
  }

  // Proxies.

  async upsertProxy(proxy: ProxyRecord, at: number): Promise<void> {
    const data = JSON.stringify(proxy.data);
    await this.db
      .insertInto('proxies')
      .values({
        contact_id: proxy.contactId,
        local_user_id: proxy.localUserId,
        connection_id: proxy.connectionId,
        conversation_id: proxy.conversationId,
        proxy_user_id: proxy.proxyUserId,
        data,
        created_at: at,
      })
      .onConflict((oc) =>
        oc.columns(['contact_id', 'local_user_id']).doUpdateSet({
          conversation_id: proxy.conversationId,
          proxy_user_id: proxy.proxyUserId,
          data,
        }),
      )
      .execute();
  }

  async proxyFor(contactId: ContactId, localUserId: UserId): Promise<ProxyRecord | undefined> {
    const row = await this.db
      .selectFrom('proxies')
      .selectAll()
      .where('contact_id', '=', contactId)
      .where('local_user_id', '=', localUserId)
      .executeTakeFirst();
    return row ? toProxy(row) : undefined;
  }

  /** The proxy conversations on a connection with this id; the newest first. */
  async proxiesByConversation(
    connectionId: ConnectionId,
    conversationId: PlatformConversationId,
  ): Promise<ProxyRecord[]> {
    const rows = await this.db
      .selectFrom('proxies')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toProxy);
  }

  /** Finds the proxy with this platform id on a connection: a Webex guest that represents a contact. */
  async proxyByUser(connectionId: ConnectionId, proxyUserId: PlatformUserId): Promise<ProxyRecord | undefined> {
    const row = await this.db
      .selectFrom('proxies')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('proxy_user_id', '=', proxyUserId)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return row ? toProxy(row) : undefined;
  }

  /** Returns the ids of the still active contacts that have a proxy on this connection. */
  async activeProxyContacts(connectionId: ConnectionId): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('proxies')
      .innerJoin('contacts', 'contacts.id', 'proxies.contact_id')
      .select('proxies.contact_id as id')
      .where('proxies.connection_id', '=', connectionId)
      .where('contacts.status', '=', 'active')
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  async proxiesOnConnection(connectionId: ConnectionId): Promise<ProxyRecord[]> {
    const rows = await this.db.selectFrom('proxies').selectAll().where('connection_id', '=', connectionId).execute();
    return rows.map(toProxy);
  }

  // Message-id map.

  /**
   * Records platform message ids. An id seen again (an XMPP sender may reuse a stanza id
   * for a new message) now names the newer message, which is what a later correction or
   * retraction of that id refers to. NOTE: the older message then loses its mapping, so
   * edits, reactions and replies on the other platform to that older copy no longer cross.
   */
  async addMessageMap(rows: MessageMapInsert[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('message_map')
      .values(
        rows.map((r) => ({
          connection_id: r.connectionId,
          platform_message_id: r.platformMessageId,
          session_id: r.sessionId,
          event_id: r.eventId,
          direction: r.direction,
          created_at: r.createdAt,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['connection_id', 'platform_message_id']).doUpdateSet((eb) => ({
          session_id: eb.ref('excluded.session_id'),
          event_id: eb.ref('excluded.event_id'),
          direction: eb.ref('excluded.direction'),
          created_at: eb.ref('excluded.created_at'),
        })),
      )
      .execute();
  }

  /** True when the hub itself posted this message on this connection. */
  async isHubMessage(connectionId: ConnectionId, messageId: PlatformMessageId): Promise<boolean> {
    const row = await this.db
      .selectFrom('message_map')
      .select('direction')
      .where('connection_id', '=', connectionId)
      .where('platform_message_id', '=', messageId)
      .where('direction', '=', 'out')
      .executeTakeFirst();
    return row !== undefined;
  }

  async mappedMessageIds(connectionId: ConnectionId, ids: PlatformMessageId[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('message_map')
      .select('platform_message_id')
      .where('connection_id', '=', connectionId)
      .where('platform_message_id', 'in', ids)
      .execute();
    return new Set(rows.map((r) => r.platform_message_id));
  }

  /**
   * The ids that a message known on one connection has on another: the copies the hub
   * posted of it, or the original it posted a copy of. Oldest first.
   */
  async counterpartMessageIds(
    connectionId: ConnectionId,
    platformMessageId: PlatformMessageId,
    targetConnectionId: ConnectionId,
  ): Promise<PlatformMessageId[]> {
    const rows = await this.db
      .selectFrom('message_map as s')
      .innerJoin('message_map as t', 't.event_id', 's.event_id')
      .select(['t.platform_message_id as id', 't.created_at as at'])
      .where('s.connection_id', '=', connectionId)
      .where('s.platform_message_id', '=', platformMessageId)
      .where('t.connection_id', '=', targetConnectionId)
      .orderBy('t.created_at')
      .execute();
    return rows.map((r) => r.id as PlatformMessageId);
  }

  async messageMapForEvent(eventId: EventId): Promise<MessageMapInsert[]> {
    const rows = await this.db.selectFrom('message_map').selectAll().where('event_id', '=', eventId).execute();
    return rows.map((r) => ({
      connectionId: r.connection_id as ConnectionId,
      platformMessageId: r.platform_message_id as PlatformMessageId,
      sessionId: r.session_id as ChatSessionId,
      eventId: r.event_id as EventId,
      direction: r.direction as 'in' | 'out',
      createdAt: Number(r.created_at),
    }));
  }

  // Inbound deduplication.

  /** Records a platform event id; false when it was already recorded. */
  async markInbound(connectionId: ConnectionId, platformEventId: string, at: number): Promise<boolean> {
    const result = await this.db
      .insertInto('inbound_dedup')
      .values({ connection_id: connectionId, platform_event_id: platformEventId, received_at: at })
      .onConflict((oc) => oc.columns(['connection_id', 'platform_event_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async hasInbound(connectionId: ConnectionId, platformEventId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('inbound_dedup')
      .select('received_at')
      .where('connection_id', '=', connectionId)
      .where('platform_event_id', '=', platformEventId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async pruneInbound(before: number): Promise<number> {
    const result = await this.db.deleteFrom('inbound_dedup').where('received_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // Outbox and dead letters.

  async enqueue(rows: OutboxInsert[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('outbox')
      .values(
        rows.map((r) => ({
          id: r.id,
          ordering_key: r.orderingKey,
          connection_id: r.connectionId,
          session_id: r.sessionId,
          event_id: r.eventId,
          payload: r.payload,
          attempts: 0,
          next_attempt_at: r.nextAttemptAt,
          attempt_started_at: null,
          last_error: null,
          created_at: r.createdAt,
        })),
      )
      .execute();
  }

  /**
   * Returns the oldest row of each ordering key, when it is due at `now` and its key is not in
   * `busyKeys`. Later rows of a key wait for its head, which keeps per-conversation order.
   */
  async dueHeads(now: number, busyKeys: readonly string[], limit: number): Promise<OutboxRecord[]> {
    let query = this.db
      .selectFrom('outbox')
      .selectAll()
      .where('seq', 'in', (eb) =>
        eb.selectFrom('outbox as o2').select((e) => e.fn.min('o2.seq').as('seq')).groupBy('o2.ordering_key'),
      )
      .where('next_attempt_at', '<=', now);
    if (busyKeys.length > 0) query = query.where('ordering_key', 'not in', busyKeys);
    const rows = await query.orderBy('seq').limit(limit).execute();
    return rows.map(toOutbox);
  }

  /** Returns the time the earliest outbox row falls due, or undefined when the outbox is empty. */
  async nextDueAt(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  async getOutbox(id: DeliveryId): Promise<OutboxRecord | undefined> {
    const row = await this.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toOutbox(row) : undefined;
  }

  async outboxDepth(): Promise<number> {
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Records that an attempt is about to reach the platform; committed before the send. */
  async markAttemptStarted(id: DeliveryId, at: number): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), attempt_started_at: at }))
      .where('id', '=', id)
      .execute();
  }

  /**
   * Schedules the next attempt. `inDoubt` keeps the start time of the failed attempt, for
   * an outcome the platform never confirmed (a timeout, a dropped connection), so the next
   * attempt first checks whether it arrived.
   */
  async scheduleRetry(id: DeliveryId, nextAttemptAt: number, error: string, inDoubt = false): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set(
        inDoubt
          ? { next_attempt_at: nextAttemptAt, last_error: error }
          : { next_attempt_at: nextAttemptAt, attempt_started_at: null, last_error: error },
      )
      .where('id', '=', id)
      .execute();
  }

  async deleteOutbox(id: DeliveryId): Promise<void> {
    await this.db.deleteFrom('outbox').where('id', '=', id).execute();
  }

  /** Drops every queued delivery of a chat session; returns how many were dropped. */
  async deleteOutboxForSession(sessionId: ChatSessionId): Promise<number> {
    const result = await this.db.deleteFrom('outbox').where('session_id', '=', sessionId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Moves an outbox row to the dead letters with a reason code. */
  async deadLetter(row: OutboxRecord, reason: string, at: number): Promise<void> {
    await this.db
      .insertInto('dead_letters')
      .values({
        id: row.id,
        connection_id: row.connectionId,
        session_id: row.sessionId,
        event_id: row.eventId,
        payload: row.payload,
        reason,
        attempts: row.attempts,
        created_at: row.createdAt,
        failed_at: at,
      })
      .execute();
    await this.deleteOutbox(row.id);
  }

  async deleteDeadLetter(id: DeliveryId): Promise<void> {
    await this.db.deleteFrom('dead_letters').where('id', '=', id).execute();
  }

  async listDeadLetters(limit = 100): Promise<DeadLetterRecord[]> {
    const rows = await this.db
      .selectFrom('dead_letters')
      .select(['id', 'connection_id', 'session_id', 'event_id', 'reason', 'attempts', 'created_at', 'failed_at'])
      .orderBy('failed_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toDeadLetter);
  }

  // Metadata log.

  async appendMetadata(rows: MetadataInsert[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('metadata_log')
      .values(
        rows.map((r) => ({
          at: r.at,
          type: r.type,
          event_kind: r.eventKind,
          sender: r.sender,
          receiver: r.receiver,
          session_id: r.sessionId,
          source_platform: r.sourcePlatform,
          target_platform: r.targetPlatform,
          source_org: r.sourceOrg,
          target_org: r.targetOrg,
          outcome: r.outcome,
        })),
      )
      .execute();
  }

  async queryMetadata(query: MetadataQuery = {}): Promise<MetadataRecord[]> {
    let q = this.db.selectFrom('metadata_log').selectAll();
    if (query.from !== undefined) q = q.where('at', '>=', query.from);
    if (query.to !== undefined) q = q.where('at', '<', query.to);
    if (query.sessionId !== undefined) q = q.where('session_id', '=', query.sessionId);
    if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
    const rows = await q.orderBy('seq').limit(query.limit ?? 1000).execute();
    return rows.map(toMetadata);
  }
}

/** Maps a dead-letter row without its payload, which listings never show. */
export function toDeadLetter(r: {
  id: string;
  connection_id: string;
  session_id: string | null;
  event_id: string;
  reason: string;
  attempts: number;
  created_at: number;
  failed_at: number;
}): DeadLetterRecord {
  return {
    id: r.id as DeliveryId,
    connectionId: r.connection_id as ConnectionId,
    sessionId: r.session_id as ChatSessionId | null,
    eventId: r.event_id as EventId,
    reason: r.reason,
    attempts: Number(r.attempts),
    createdAt: Number(r.created_at),
    failedAt: Number(r.failed_at),
  };
}

export function toMetadata(r: Selectable<MetadataLogTable>): MetadataRecord {
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    type: r.type as MetadataRecord['type'],
    eventKind: r.event_kind,
    sender: r.sender,
    receiver: r.receiver,
    sessionId: r.session_id as ChatSessionId | null,
    sourcePlatform: r.source_platform as Platform,
    targetPlatform: r.target_platform as Platform | null,
    sourceOrg: r.source_org as OrgId | null,
    targetOrg: r.target_org as OrgId | null,
    outcome: r.outcome,
  };
}

function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id as UserId,
    connectionId: row.connection_id as ConnectionId,
    platformUserId: row.platform_user_id as PlatformUserId,
    email: row.email,
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
    orgId: row.org_id as OrgId,
    presence: (row.presence as PresenceStatus | null) ?? null,
    suspendedAt: row.suspended_at === null || row.suspended_at === undefined ? null : Number(row.suspended_at),
  };
}

function toInvitation(row: Selectable<InvitationsTable>): InvitationRecord {
  return {
    id: row.id as InvitationId,
    fromUserId: row.from_user_id as UserId,
    toEmail: row.to_email,
    toUserId: row.to_user_id as UserId,
    status: row.status as InvitationStatus,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    decidedAt: row.decided_at === null ? null : Number(row.decided_at),
  };
}

function toContact(row: Selectable<ContactsTable>): ContactRecord {
  return {
    id: row.id as ContactId,
    userAId: row.user_a_id as UserId,
    userBId: row.user_b_id as UserId,
    sessionId: row.session_id as ChatSessionId,
    status: row.status as ContactRecord['status'],
    createdAt: Number(row.created_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
  };
}

function toProxy(row: Selectable<Database['proxies']>): ProxyRecord {
  return {
    contactId: row.contact_id as ContactId,
    localUserId: row.local_user_id as UserId,
    connectionId: row.connection_id as ConnectionId,
    conversationId: row.conversation_id as PlatformConversationId,
    proxyUserId: row.proxy_user_id as PlatformUserId | null,
    data: JSON.parse(row.data) as Record<string, string>,
  };
}

function toOutbox(row: Selectable<OutboxTable>): OutboxRecord {
  return {
    seq: Number(row.seq),
    id: row.id as DeliveryId,
    orderingKey: row.ordering_key,
    connectionId: row.connection_id as ConnectionId,
    sessionId: row.session_id as ChatSessionId | null,
    eventId: row.event_id as EventId,
    payload: row.payload,
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    attemptStartedAt: row.attempt_started_at === null ? null : Number(row.attempt_started_at),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
  };
}
