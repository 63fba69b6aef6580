// Shared channels, their mirrors on other platforms and their invited members. Works on the
// database or on an open transaction, like Repo.

import type { Kysely, Selectable } from 'kysely';

import type { ChatSessionId, ConnectionId, ContactId, OrgId, PlatformConversationId, UserId } from '../core/ids.js';
import type { Database } from './schema.js';

export interface ChannelRecord {
  id: ChatSessionId;
  orgId: OrgId;
  /** The connection and conversation of the channel on its own platform. */
  connectionId: ConnectionId;
  conversationId: PlatformConversationId;
  title: string;
  createdBy: UserId;
  createdAt: number;
}

export interface ChannelMirrorRecord {
  channelId: ChatSessionId;
  connectionId: ConnectionId;
  /** Null until the connector has created the mirror. */
  conversationId: PlatformConversationId | null;
  data: Record<string, string>;
  createdAt: number;
}

export type ChannelMemberStatus = 'active' | 'left' | 'removed';

export interface ChannelMemberRecord {
  channelId: ChatSessionId;
  userId: UserId;
  invitedBy: UserId;
  /** The contact between the inviter and the invitee the invitation rests on. */
  contactId: ContactId;
  status: ChannelMemberStatus;
  createdAt: number;
  updatedAt: number;
}

/** A conversation's part in a shared channel: the channel itself, or one of its mirrors. */
export type ChannelPlaceRecord =
  | { role: 'origin'; channel: ChannelRecord }
  | { role: 'mirror'; channel: ChannelRecord; mirror: ChannelMirrorRecord };

export class ChannelRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates a channel and its chat session; a channel for the same conversation must not exist. */
  async create(channel: ChannelRecord): Promise<void> {
    await this.db.insertInto('chat_sessions').values({ id: channel.id, kind: 'channel', created_at: channel.createdAt }).execute();
    await this.db
      .insertInto('channels')
      .values({
        id: channel.id,
        org_id: channel.orgId,
        connection_id: channel.connectionId,
        conversation_id: channel.conversationId,
        title: channel.title,
        created_by: channel.createdBy,
        created_at: channel.createdAt,
      })
      .execute();
  }

  async get(id: ChatSessionId): Promise<ChannelRecord | undefined> {
    const row = await this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toChannel(row) : undefined;
  }

  async byOrigin(connectionId: ConnectionId, conversationId: PlatformConversationId): Promise<ChannelRecord | undefined> {
    const row = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return row ? toChannel(row) : undefined;
  }

  /** Finds the channel a conversation belongs to, as its origin or as a mirror. */
  async placeOf(connectionId: ConnectionId, conversationId: PlatformConversationId): Promise<ChannelPlaceRecord | undefined> {
    const origin = await this.byOrigin(connectionId, conversationId);
    if (origin) return { role: 'origin', channel: origin };
    const row = await this.db
      .selectFrom('channel_mirrors')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    if (!row) return undefined;
    const channel = await this.get(row.channel_id as ChatSessionId);
    return channel ? { role: 'mirror', channel, mirror: toMirror(row) } : undefined;
  }

  async mirrors(channelId: ChatSessionId): Promise<ChannelMirrorRecord[]> {
    const rows = await this.db.selectFrom('channel_mirrors').selectAll().where('channel_id', '=', channelId).orderBy('created_at').execute();
    return rows.map(toMirror);
  }

  async mirror(channelId: ChatSessionId, connectionId: ConnectionId): Promise<ChannelMirrorRecord | undefined> {
    const row = await this.db
      .selectFrom('channel_mirrors')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('connection_id', '=', connectionId)
      .executeTakeFirst();
    return row ? toMirror(row) : undefined;
  }

  /** Adds a mirror row that the connector fills in when it creates the mirror; keeps an existing one. */
  async ensureMirror(channelId: ChatSessionId, connectionId: ConnectionId, at: number): Promise<void> {
    await this.db
      .insertInto('channel_mirrors')
      .values({ channel_id: channelId, connection_id: connectionId, conversation_id: null, data: '{}', created_at: at })
      .onConflict((oc) => oc.columns(['channel_id', 'connection_id']).doNothing())
      .execute();
  }

  async setMirror(channelId: ChatSessionId, connectionId: ConnectionId, conversationId: PlatformConversationId, data: Record<string, string>): Promise<void> {
    await this.db
      .updateTable('channel_mirrors')
      .set({ conversation_id: conversationId, data: JSON.stringify(data) })
      .where('channel_id', '=', channelId)
      .where('connection_id', '=', connectionId)
      .execute();
  }

  /** Adds an invitee, or makes one who left or was removed a member again. */
  async upsertMember(member: Omit<ChannelMemberRecord, 'updatedAt'>, at: number): Promise<void> {
    await this.db
      .insertInto('channel_members')
      .values({
        channel_id: member.channelId,
        user_id: member.userId,
        invited_by: member.invitedBy,
        contact_id: member.contactId,
        status: member.status,
        created_at: member.createdAt,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc.columns(['channel_id', 'user_id']).doUpdateSet({ invited_by: member.invitedBy, contact_id: member.contactId, status: member.status, updated_at: at }),
      )
      .execute();
  }

  async members(channelId: ChatSessionId): Promise<ChannelMemberRecord[]> {
    const rows = await this.db.selectFrom('channel_members').selectAll().where('channel_id', '=', channelId).orderBy('created_at').execute();
    return rows.map(toMember);
  }

  async member(channelId: ChatSessionId, userId: UserId): Promise<ChannelMemberRecord | undefined> {
    const row = await this.db
      .selectFrom('channel_members')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? toMember(row) : undefined;
  }

  /** Lists a user's active memberships as an invitee, for when they are suspended. */
  async activeByUser(userId: UserId): Promise<ChannelMemberRecord[]> {
    const rows = await this.db.selectFrom('channel_members').selectAll().where('user_id', '=', userId).where('status', '=', 'active').execute();
    return rows.map(toMember);
  }

  /** Lists the active memberships whose invitation rests on this contact, for when it ends. */
  async activeByContact(contactId: ContactId): Promise<ChannelMemberRecord[]> {
    const rows = await this.db.selectFrom('channel_members').selectAll().where('contact_id', '=', contactId).where('status', '=', 'active').execute();
    return rows.map(toMember);
  }

  /** Changes a member's status; false when they did not have `from`'s status, so nothing changed. */
  async setMemberStatus(channelId: ChatSessionId, userId: UserId, status: ChannelMemberStatus, at: number, from: ChannelMemberStatus = 'active'): Promise<boolean> {
    const result = await this.db
      .updateTable('channel_members')
      .set({ status, updated_at: at })
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .where('status', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

function toChannel(row: Selectable<Database['channels']>): ChannelRecord {
  return {
    id: row.id as ChatSessionId,
    orgId: row.org_id as OrgId,
    connectionId: row.connection_id as ConnectionId,
    conversationId: row.conversation_id as PlatformConversationId,
    title: row.title,
    createdBy: row.created_by as UserId,
    createdAt: row.created_at,
  };
}

function toMirror(row: Selectable<Database['channel_mirrors']>): ChannelMirrorRecord {
  return {
    channelId: row.channel_id as ChatSessionId,
    connectionId: row.connection_id as ConnectionId,
    conversationId: row.conversation_id as PlatformConversationId | null,
    data: JSON.parse(row.data) as Record<string, string>,
    createdAt: row.created_at,
  };
}

function toMember(row: Selectable<Database['channel_members']>): ChannelMemberRecord {
  return {
    channelId: row.channel_id as ChatSessionId,
    userId: row.user_id as UserId,
    invitedBy: row.invited_by as UserId,
    contactId: row.contact_id as ContactId,
    status: row.status as ChannelMemberStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
