// The admin API's response bodies, as the portal reads them (see src/admin/api.ts).

export interface Org {
  id: string;
  name: string;
  domains: string[];
}

export interface UsagePoint {
  /** YYYY-MM for a month, YYYY-MM-DD for a day (UTC). */
  period: string;
  users: number;
  delivered: number;
  failed: number;
}

export interface UsageBreakdown {
  key: string;
  users: number;
  delivered: number;
  failed: number;
  firstDay: string;
  lastDay: string;
}

export const invitationStatuses = ['sent', 'accepted', 'declined', 'expired', 'pending'] as const;

export interface Overview {
  org: string;
  generatedAt: string;
  months: Array<UsagePoint & { activeContacts: number; invitations: Record<string, number> }>;
  days: UsagePoint[];
  totals: { users: number; delivered: number; failed: number };
  byPlatform: UsageBreakdown[];
  byPartnerDomain: UsageBreakdown[];
  /** Every partner domain of the 12 months, filters aside. */
  partnerDomains: string[];
  byLocalDomain: UsageBreakdown[];
}

export const platforms = ['webex', 'slack', 'xmpp'] as const;

export type UsageDimension = 'partner_domain' | 'user_domain' | 'platform';

export interface UsageReport {
  by: UsageDimension;
  from: string;
  to: string;
  rows: UsageBreakdown[];
}

export const metadataTypes = ['im', 'file', 'presence', 'typing', 'reaction', 'invite', 'command', 'notice', 'error'] as const;

export interface MetadataRecord {
  seq: number;
  /** Milliseconds since the epoch. */
  at: number;
  type: string;
  eventKind: string;
  sender: string;
  receiver: string;
  sessionId: string | null;
  sourcePlatform: string;
  targetPlatform: string | null;
  sourceOrg: string | null;
  targetOrg: string | null;
  outcome: string;
}

export interface DeadLetter {
  id: string;
  connectionId: string;
  sessionId: string | null;
  eventId: string;
  reason: string;
  attempts: number;
  createdAt: number;
  failedAt: number;
}

export interface Connection {
  id: string;
  platform: string;
  source: 'config' | 'api';
  state: { status: string; code?: string; since?: string };
  queue: { waiting: number; oldestQueuedAt: string | null };
  health?: { lastSuccessAt: string | null; lastFailureAt: string | null; lastError: string | null; lastHour: { delivered: number; failed: number } };
}

export const features = ['messages', 'files', 'presence', 'typing', 'reactions', 'rich_text', 'channel_invites'] as const;

export interface Verdict {
  orgId: string;
  allowed: boolean;
  rule: string;
}

export interface Decision {
  allowed: boolean;
  verdicts: Verdict[];
  reason?: string;
}

/** A domain's entry in a policy. The portal changes only `allow` and keeps the rest. */
export interface DomainRules {
  allow?: boolean;
  [setting: string]: unknown;
}

export interface Policy {
  mode: 'open' | 'allow_list' | 'block_list';
  domains: Record<string, DomainRules>;
  [setting: string]: unknown;
}
