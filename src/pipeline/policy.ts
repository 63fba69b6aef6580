import type { CanonicalEvent } from '../core/events.js';
import type { UserRecord } from '../store/types.js';

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string; rule: string };

export interface PolicyInput {
  event: CanonicalEvent;
  sender: UserRecord;
  recipient: UserRecord;
}

/** Decides whether an event may cross; both organisations' rules are checked behind it. */
export type PolicyHook = (input: PolicyInput) => Promise<PolicyDecision>;

// NOTE: every event is allowed until the federation policy model exists; this hook is
// where it plugs in.
export const allowAll: PolicyHook = async () => ({ allowed: true });
