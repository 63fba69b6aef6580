// The pipeline's policy hook: it asks the policy book whether an event may cross from its
// sender to its recipient, both organisations' policies included.

import type { EventKind } from '../core/events.js';
import { featureOf, type PolicyBook } from '../policy/book.js';
import type { UserRecord } from '../store/types.js';

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string; rule: string };

export interface PolicyInput {
  kind: EventKind;
  sender: UserRecord;
  recipient: UserRecord;
}

/** Decides whether an event may cross; both organisations' rules are checked behind it. */
export type PolicyHook = (input: PolicyInput) => Promise<PolicyDecision>;

export const allowAll: PolicyHook = async () => ({ allowed: true });

/** The hook backed by the policies in force; users without an email are judged as unknown. */
export function policyHook(book: PolicyBook): PolicyHook {
  return async ({ kind, sender, recipient }) => {
    const feature = featureOf(kind);
    if (feature === undefined) return { allowed: true };
    for (const user of [sender, recipient]) {
      if (user.suspendedAt !== null) {
        const email = user.email ?? user.platformUserId;
        return { allowed: false, reason: `${email} is suspended from federation by their organisation.`, rule: `${user.orgId}: user ${email} is suspended` };
      }
    }
    const decision = book.decide(
      { orgId: sender.orgId, email: sender.email ?? `${sender.platformUserId}@unknown` },
      { orgId: recipient.orgId, email: recipient.email ?? `${recipient.platformUserId}@unknown` },
      feature,
    );
    if (decision.allowed) return { allowed: true };
    const verdict = decision.verdicts[0]!;
    return { allowed: false, reason: decision.reason, rule: `${verdict.orgId}: ${verdict.rule}` };
  };
}
