// Table shapes for Kysely. Times are integers in milliseconds since the epoch on both
// SQLite and PostgreSQL; ids are text.

import type { ColumnType, Generated } from 'kysely';

export interface OrgsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface DomainsTable {
  domain: string;
  org_id: string;
  verified: number;
  verification_token: string | null;
  added_at: number | null;
}

export interface ConnectionsTable {
  id: string;
  org_id: string;
  platform: string;
  created_at: number;
  /** `config` for connections from the config file, `api` for those an admin added. */
  source: ColumnType<string, string | undefined, string>;
  /** API connections: the platform section's settings (JSON), without credentials. */
  settings: string | null;
  /** API connections: the credentials, sealed (see credentials.ts). */
  credentials: string | null;
  updated_at: number | null;
}

export interface ConnectionStateTable {
  connection_id: string;
  key: string;
  value: string;
}

export interface UsersTable {
  id: string;
  connection_id: string;
  platform_user_id: string;
  email: string | null;
  display_name: string | null;
  avatar_url: string | null;
  org_id: string;
  created_at: number;
  presence: string | null;
  presence_at: number | null;
  suspended_at: number | null;
}

export interface PoliciesTable {
  org_id: string;
  policy: string;
  updated_at: number;
  updated_by: string;
}

export interface AuditLogTable {
  seq: Generated<number>;
  at: number;
  actor: string;
  source: string;
  action: string;
  org_id: string | null;
  target: string;
  old_value: string | null;
  new_value: string | null;
}

export interface InvitationsTable {
  id: string;
  from_user_id: string;
  to_email: string;
  to_user_id: string;
  status: string;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
}

export interface ContactsTable {
  id: string;
  user_a_id: string;
  user_b_id: string;
  session_id: string;
  status: string;
  created_at: number;
  ended_at: number | null;
}

export interface ChatSessionsTable {
  id: string;
  kind: string;
  created_at: number;
}

export interface ProxiesTable {
  contact_id: string;
  local_user_id: string;
  connection_id: string;
  conversation_id: string;
  proxy_user_id: string | null;
  data: string;
  created_at: number;
}

export interface MessageMapTable {
  connection_id: string;
  platform_message_id: string;
  session_id: string;
  event_id: string;
  direction: string;
  created_at: number;
}

export interface OutboxTable {
  seq: Generated<number>;
  id: string;
  ordering_key: string;
  connection_id: string;
  session_id: string | null;
  event_id: string;
  payload: string;
  attempts: number;
  next_attempt_at: number;
  attempt_started_at: number | null;
  last_error: string | null;
  created_at: number;
}

export interface DeadLettersTable {
  id: string;
  connection_id: string;
  session_id: string | null;
  event_id: string;
  payload: string;
  reason: string;
  attempts: number;
  created_at: number;
  failed_at: number;
}

export interface InboundDedupTable {
  connection_id: string;
  platform_event_id: string;
  received_at: number;
}

export interface MetadataLogTable {
  seq: Generated<number>;
  at: number;
  type: string;
  event_kind: string;
  sender: string;
  receiver: string;
  session_id: string | null;
  source_platform: string;
  target_platform: string | null;
  source_org: string | null;
  target_org: string | null;
  outcome: string;
}

export interface Database {
  orgs: OrgsTable;
  domains: DomainsTable;
  connections: ConnectionsTable;
  connection_state: ConnectionStateTable;
  users: UsersTable;
  invitations: InvitationsTable;
  contacts: ContactsTable;
  chat_sessions: ChatSessionsTable;
  proxies: ProxiesTable;
  message_map: MessageMapTable;
  outbox: OutboxTable;
  dead_letters: DeadLettersTable;
  inbound_dedup: InboundDedupTable;
  metadata_log: MetadataLogTable;
  policies: PoliciesTable;
  audit_log: AuditLogTable;
  admins: AdminsTable;
  admin_sessions: AdminSessionsTable;
  sso_states: SsoStatesTable;
  usage_counts_daily: UsageCountsDailyTable;
  usage_users_monthly: UsageUsersMonthlyTable;
  usage_users_daily: UsageUsersDailyTable;
  usage_cursor: UsageCursorTable;
  api_tokens: ApiTokensTable;
  channels: ChannelsTable;
  channel_mirrors: ChannelMirrorsTable;
  channel_members: ChannelMembersTable;
}

export interface ChannelsTable {
  id: string;
  org_id: string;
  connection_id: string;
  conversation_id: string;
  title: string;
  created_by: string;
  created_at: number;
}

export interface ChannelMirrorsTable {
  channel_id: string;
  connection_id: string;
  conversation_id: string | null;
  data: string;
  created_at: number;
}

export interface ChannelMembersTable {
  channel_id: string;
  user_id: string;
  invited_by: string;
  contact_id: string;
  status: string;
  created_at: number;
  updated_at: number;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  name: string;
  created_by: string;
  org_id: string | null;
  scopes: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface AdminsTable {
  id: string;
  email: string;
  role: string;
  org_id: string | null;
  password_hash: string;
  totp_secret: string;
  totp_last_step: Generated<number>;
  recovery_hashes: string;
  failed_logins: Generated<number>;
  locked_until: Generated<number>;
  created_at: number;
  /** 1 for an admin who logs in only through single sign-on. */
  sso_only: Generated<number>;
}

export interface UsageCountsDailyTable {
  org_id: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** The domain of the organisation's own user. */
  user_domain: string;
  /** The other side's domain. */
  partner_domain: string;
  /** The organisation's own platform for this traffic. */
  platform: string;
  /** The metadata type: im, file. */
  type: string;
  delivered: number;
  failed: number;
}

/** The organisation's users active in a period, one row per user, partner domain and platform. */
interface UsageUsersColumns {
  org_id: string;
  user_address: string;
  user_domain: string;
  partner_domain: string;
  platform: string;
}

export interface UsageUsersMonthlyTable extends UsageUsersColumns {
  /** UTC month, YYYY-MM. */
  month: string;
}

export interface UsageUsersDailyTable extends UsageUsersColumns {
  day: string;
}

export interface UsageCursorTable {
  id: string;
  /** The last metadata sequence number the rollups include. */
  seq: number;
}

export interface SsoStatesTable {
  /** SHA-256 of the state parameter; the state itself travels only in the browser. */
  state_hash: string;
  org_id: string;
  nonce: string;
  verifier: string;
  expires_at: number;
}

export interface AdminSessionsTable {
  id_hash: string;
  admin_id: string;
  csrf_token: string;
  source: string;
  created_at: number;
  last_seen_at: number;
}
