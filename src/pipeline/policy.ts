// The pipeline's policy hook: it checks with the policy book whether an event may cross from its
// sender to its recipient, both organisations' policies included.

import type { EventKind } from '../core/events.js';
import { featureOf, type PolicyBook } from '../policy/book.js';
import type { FileFacts } from '../policy/evaluate.js';
import type { UserRecord } from '../store/types.js';

export type PolicyDecision =
  | { allowed: true; maxFileBytes?: number }
  | { allowed: false; reason: string; rule: string; approvalBy?: { orgId: string; domain: string } };

export interface PolicyInput {
  kind: EventKind;
  sender: UserRecord;
  recipient: UserRecord;
  /** A file's size, type and name, for the policies' file limits. */
  file?: FileFacts;
}

/** Decides whether an event may cross; both organisations' rules are checked behind it. */
export type PolicyHook = (input: PolicyInput) => Promise<PolicyDecision>;

export const allowAll: PolicyHook = async () => ({ allowed: true });

/** The hook backed by the policies in force; users without an email are judged as unknown. */
export function policyHook(book: PolicyBook): PolicyHook {
  return async ({ kind, sender, recipient, file }) => {
    const feature = featureOf(kind);
    if (feature === undefined) return { allowed: true };
    for (const user of [sender, recipient]) {
      if (user.suspendedAt !== null) {
        const email = user.email ?? user.platformUserId;
        return { allowed: false, reason: `${email} is suspended from federation by their organisation.`, rule: `${user.orgId}: user ${email} is suspended` };
      }
    }
    const from = { orgId: sender.orgId, email: sender.email ?? `${sender.platformUserId}@unknown` };
    const to = { orgId: recipient.orgId, email: recipient.email ?? `${recipient.platformUserId}@unknown` };
    const decision = book.decide(from, to, feature, file);
    if (decision.allowed) {
      const approval = kind === 'contact_request' ? book.approvalNeeded(from, to) : undefined;
      if (!approval) return { allowed: true, ...(decision.maxFileBytes !== undefined ? { maxFileBytes: decision.maxFileBytes } : {}) };
      return {
        allowed: false,
        reason: `the domain ${approval.domain} waits for an admin's approval as a partner.`,
        rule: `${approval.orgId}: partner approval: ${approval.domain} is not approved yet`,
        approvalBy: approval,
      };
    }
    const verdict = decision.verdicts[0]!;
    return { allowed: false, reason: decision.reason, rule: `${verdict.orgId}: ${verdict.rule}` };
  };
}
