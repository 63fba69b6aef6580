// Admin actions: change an organisation's policy, suspend or reinstate a user, revoke one
// contact. Each takes effect from the next event, is confined to the acting admin's
// organisation, and is written to the audit log with the value before and after. The admin
// API and the CLI call these; they never write the tables themselves.

import { ErrorCode, NotFoundError, ParleyError } from '../core/errors.js';
import type { ContactId, DeliveryId, OrgId, UserId } from '../core/ids.js';
import { personCard, userRef, type Directory } from '../pipeline/directory.js';
import { deliveryPayload, newEventId, noticePayload, outboxRow, type OutboxPayload } from '../pipeline/outbox.js';
import type { PolicyBook } from '../policy/book.js';
import { orgPolicySchema, type OrgPolicy } from '../policy/model.js';
import type { Store } from '../store/store.js';
import type { ContactRecord, UserRecord } from '../store/types.js';

/** Who acts: an operator (every organisation) or an organisation's admin. */
export interface Actor {
  id: string;
  /** Where the request came from, such as an IP address, or `cli`. */
  source: string;
  /** The organisation an org admin may act on; absent for the operator. */
  orgId?: OrgId;
}

export class PolicyInvalidError extends ParleyError {
  constructor(message: string) {
    super(ErrorCode.PayloadInvalid, 400, message);
  }
}

export class AdminService {
  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    private readonly policies: PolicyBook,
    private readonly onCommitted: () => void,
  ) {}

  /** Loads the policies admins stored; they replace the config's for their organisations. */
  async loadStoredPolicies(): Promise<void> {
    for (const { orgId, policy } of await this.store.storedPolicies()) {
      this.policies.set(orgId, orgPolicySchema.parse(JSON.parse(policy)));
    }
  }

  async setPolicy(actor: Actor, orgId: OrgId, input: unknown, now = Date.now()): Promise<OrgPolicy> {
    this.requireOrg(actor, orgId);
    const parsed = orgPolicySchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue?.path.join('.') || '(root)';
      throw new PolicyInvalidError(`Invalid policy at ${path}: ${issue?.message ?? 'invalid value'}. See "Federation policy" in the admin guide.`);
    }
    const before = this.policies.get(orgId);
    const after = parsed.data;
    await this.store.transaction(async (repo) => {
      await repo.storePolicy(orgId, JSON.stringify(after), now, actor.id);
      await repo.appendAudit({
        at: now,
        actor: actor.id,
        source: actor.source,
        action: 'policy.set',
        orgId,
        target: `org ${orgId}`,
        oldValue: JSON.stringify(before),
        newValue: JSON.stringify(after),
      });
    });
    this.policies.set(orgId, after);
    return after;
  }

  /** Suspends (or, with `suspended` false, reinstates) every account of a user in the actor's organisation. */
  async setSuspended(actor: Actor, email: string, suspended: boolean, now = Date.now()): Promise<UserRecord[]> {
    const users = (await this.store.findUsersByEmail(email)).filter((u) => actor.orgId === undefined || u.orgId === actor.orgId);
    if (users.length === 0) throw new NotFoundError(`No user with the address ${email} in your organisation.`);
    await this.store.transaction(async (repo) => {
      for (const user of users) {
        // Suspending twice keeps the first time; nothing changes, so nothing is audited.
        if ((user.suspendedAt !== null) === suspended) continue;
        await repo.setUserSuspended(user.id, suspended ? now : null);
        await repo.appendAudit({
          at: now,
          actor: actor.id,
          source: actor.source,
          action: suspended ? 'user.suspend' : 'user.reinstate',
          orgId: user.orgId,
          target: `user ${email} (${user.connectionId})`,
          oldValue: user.suspendedAt === null ? 'active' : 'suspended',
          newValue: suspended ? 'suspended' : 'active',
        });
      }
    });
    return users.map((u) => ({ ...u, suspendedAt: suspended ? (u.suspendedAt ?? now) : null }));
  }

  /**
   * Ends one contact for both users: queued deliveries become dead letters with the reason
   * `contact_revoked`, each user is told, and platforms with a roster drop the proxy.
   */
  async revokeContact(actor: Actor, contactId: ContactId, now = Date.now()): Promise<ContactRecord> {
    const contact = await this.store.getContact(contactId);
    const a = contact ? await this.store.getUser(contact.userAId) : undefined;
    const b = contact ? await this.store.getUser(contact.userBId) : undefined;
    const visible = actor.orgId === undefined || a?.orgId === actor.orgId || b?.orgId === actor.orgId;
    if (!contact || !a || !b || !visible) throw new NotFoundError(`No contact ${contactId} in your organisation.`);
    if (contact.status !== 'active') return contact;

    const payloads: OutboxPayload[] = [];
    for (const [user, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const connection = this.directory.connection(user.connectionId);
      const otherConnection = this.directory.connection(other.connectionId);
      if (!connection || !otherConnection) continue;
      const ref = userRef(user, connection.platform);
      const whose = actor.orgId === undefined || actor.orgId === user.orgId ? 'Your organisation' : `The organisation of ${other.email ?? 'your contact'}`;
      payloads.push(
        noticePayload(ref, user.id, 'contact_ended', `${whose} ended your contact with ${other.email ?? 'a contact'}. Messages between you are no longer delivered.`, now),
        deliveryPayload({
          recipient: ref,
          recipientUserId: user.id,
          sender: { kind: 'proxy', contactId: contact.id, person: personCard(other, otherConnection.platform) },
          sessionId: contact.sessionId,
          event: {
            kind: 'contact_removed',
            id: newEventId(),
            occurredAt: new Date(now).toISOString(),
            from: userRef(other, otherConnection.platform),
            sessionId: contact.sessionId,
          },
          metadata: {
            type: 'invite',
            eventKind: 'contact_removed',
            sender: other.email ?? other.platformUserId,
            receiver: user.email ?? user.platformUserId,
            sessionId: contact.sessionId,
            sourcePlatform: otherConnection.platform,
            targetPlatform: connection.platform,
            sourceOrg: other.orgId,
            targetOrg: user.orgId,
          },
        }),
      );
    }

    await this.store.transaction(async (repo) => {
      await repo.endContact(contact.id, now, 'revoked');
      await repo.deadLetterSession(contact.sessionId, 'contact_revoked', now);
      await repo.enqueue(payloads.map((p) => outboxRow(p, now)));
      // Both organisations' audit logs show the revocation.
      for (const orgId of new Set([a.orgId, b.orgId])) {
        await repo.appendAudit({
          at: now,
          actor: actor.id,
          source: actor.source,
          action: 'contact.revoke',
          orgId,
          target: `contact ${contact.id} (${a.email ?? a.id}, ${b.email ?? b.id})`,
          oldValue: 'active',
          newValue: 'revoked',
        });
      }
    });
    this.onCommitted();
    return { ...contact, status: 'revoked', endedAt: now };
  }

  /** Queues a dead letter again; the delivery worker checks the policy once more before sending. */
  async retryDeadLetter(actor: Actor, orgId: OrgId, id: DeliveryId, now = Date.now()): Promise<void> {
    this.requireOrg(actor, orgId);
    const payload = await this.store.views.deadLetterPayload(orgId, id);
    if (payload === undefined) throw new NotFoundError(`No dead letter ${id} in your organisation.`);
    await this.store.transaction(async (repo) => {
      await repo.deleteDeadLetter(id);
      await repo.enqueue([outboxRow(JSON.parse(payload) as OutboxPayload, now)]);
      await repo.appendAudit({ at: now, actor: actor.id, source: actor.source, action: 'dead_letter.retry', orgId, target: `dead letter ${id}`, oldValue: 'dead', newValue: 'queued' });
    });
    this.onCommitted();
  }

  /** Deletes a dead letter and the content it held. */
  async discardDeadLetter(actor: Actor, orgId: OrgId, id: DeliveryId, now = Date.now()): Promise<void> {
    this.requireOrg(actor, orgId);
    if ((await this.store.views.deadLetterPayload(orgId, id)) === undefined) throw new NotFoundError(`No dead letter ${id} in your organisation.`);
    await this.store.transaction(async (repo) => {
      await repo.deleteDeadLetter(id);
      await repo.appendAudit({ at: now, actor: actor.id, source: actor.source, action: 'dead_letter.discard', orgId, target: `dead letter ${id}`, oldValue: 'dead', newValue: null });
    });
  }

  /** Finds the active contact between two addresses, for callers that know people rather than ids. */
  async contactBetween(actor: Actor, emailA: string, emailB: string): Promise<ContactId> {
    for (const user of await this.store.findUsersByEmail(emailA)) {
      for (const contact of await this.store.activeContactsOf(user.id as UserId)) {
        const otherId = contact.userAId === user.id ? contact.userBId : contact.userAId;
        const other = await this.store.getUser(otherId);
        if (other?.email === emailB.toLowerCase() && (actor.orgId === undefined || user.orgId === actor.orgId || other.orgId === actor.orgId)) {
          return contact.id;
        }
      }
    }
    throw new NotFoundError(`No active contact between ${emailA} and ${emailB} in your organisation.`);
  }

  /** An org admin sees only their organisation; any other is reported as not found. */
  private requireOrg(actor: Actor, orgId: OrgId): void {
    if ((actor.orgId !== undefined && actor.orgId !== orgId) || !this.directory.orgIds().includes(orgId)) {
      throw new NotFoundError(`No organisation ${orgId}.`);
    }
  }
}
