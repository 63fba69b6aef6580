// The policies in force: one per organisation, replaced as a whole when an admin changes
// one, so the next event is judged by the new rules.

import type { EventKind } from '../core/events.js';
import { decide, type Decision, type FileFacts, type Party } from './evaluate.js';
import { openPolicy, type Feature, type OrgPolicy } from './model.js';

/** The feature an event uses; events the policy does not cover return undefined. */
export function featureOf(kind: EventKind): Feature | undefined {
  switch (kind) {
    case 'message':
    case 'message_edit':
    case 'message_delete':
    case 'contact_request':
      return 'messages';
    case 'reaction':
      return 'reactions';
    case 'presence':
      return 'presence';
    case 'typing':
      return 'typing';
    case 'file':
      return 'files';
    case 'channel_invite':
      return 'channel_invites';
    default:
      return undefined;
  }
}

export class PolicyBook {
  private readonly policies = new Map<string, OrgPolicy>();

  constructor(initial: Iterable<[string, OrgPolicy]> = []) {
    for (const [orgId, policy] of initial) this.policies.set(orgId, policy);
  }

  get(orgId: string): OrgPolicy {
    return this.policies.get(orgId) ?? openPolicy;
  }

  set(orgId: string, policy: OrgPolicy): void {
    this.policies.set(orgId, policy);
  }

  decide(from: Party, to: Party, feature: Feature, file?: FileFacts): Decision {
    return decide(this.policies, from, to, feature, file);
  }

  /**
   * Returns the organisation that must first approve the other side's domain, when its
   * policy requires partner approval and the domain is not listed; undefined when none must.
   */
  approvalNeeded(from: Party, to: Party): { orgId: string; domain: string } | undefined {
    for (const [local, external] of [
      [from, to],
      [to, from],
    ] as const) {
      const policy = this.get(local.orgId);
      const domain = (external.email.split('@')[1] ?? '').toLowerCase();
      if (policy.approval && !Object.keys(policy.domains).some((d) => d.toLowerCase() === domain)) return { orgId: local.orgId, domain };
    }
    return undefined;
  }
}
