// Admin actions: change an organisation's policy, suspend or reinstate a user, revoke one
// contact. Each takes effect from the next event, is confined to the acting admin's
// organisation, and is written to the audit log with the value before and after. The admin
// API and the CLI call these; they never write the tables themselves.

import { ErrorCode, NotFoundError, ParleyError } from '../core/errors.js';
import type { ContactId, DeliveryId, OrgId, UserId } from '../core/ids.js';
import { ChannelRelay } from '../pipeline/channels.js';
import { personCard, userRef, type Directory } from '../pipeline/directory.js';
import { noticePayload, outboxRow, type OutboxPayload } from '../pipeline/outbox.js';
import type { PolicyBook } from '../policy/book.js';
import { orgPolicySchema, type OrgPolicy } from '../policy/model.js';
import type { Store } from '../store/store.js';
import type { ContactRecord, InvitationRecord, UserRecord } from '../store/types.js';
import { contactRemovedPayload, contactRequestPayload, day } from '../pipeline/commands.js';

/** The acting admin: an operator (every organisation) or an organisation's admin. */
export interface Actor {
  id: string;
  /** The request's origin, such as an IP address, or `cli`. */
  source: string;
  /** The organisation an org admin may act on; absent for the operator. */
  orgId?: OrgId;
  /** The operator (or a hub-wide token), also when acting on one organisation's behalf. */
  operator?: boolean;
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
    /** How long a released invitation stays open, in milliseconds. */
    private readonly invitationExpiryMs = 7 * 24 * 60 * 60 * 1000,
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
    // A suspended user leaves the shared channels they were invited to; reinstating does not bring them back.
    const channels = new ChannelRelay(this.store, this.directory);
    const left = suspended ? await Promise.all(users.filter((u) => u.suspendedAt === null).map((u) => channels.userSuspended(u.id, now))) : [];
    await this.store.transaction(async (repo) => {
      for (const plan of left) {
        await plan.apply?.(repo);
        await repo.enqueue(plan.deliveries.map((d) => outboxRow(d, now)));
      }
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
    if (left.some((plan) => plan.deliveries.length > 0)) this.onCommitted();
    return users.map((u) => ({ ...u, suspendedAt: suspended ? (u.suspendedAt ?? now) : null }));
  }

  /**
   * Ends one contact for both users: queued deliveries become dead letters with the reason
   * `contact_revoked`, each user gets a notice, and platforms with a roster drop the proxy.
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
        contactRemovedPayload(ref, user, personCard(other, otherConnection.platform), userRef(other, otherConnection.platform), contact, now, other.orgId),
      );
    }

    // Channels the contact was invited into through this contact end for them too.
    const left = await new ChannelRelay(this.store, this.directory).contactEnded(contact.id, now);
    payloads.push(...left.deliveries);
    await this.store.transaction(async (repo) => {
      await repo.endContact(contact.id, now, 'revoked');
      await repo.deadLetterSession(contact.sessionId, 'contact_revoked', now);
      await left.apply?.(repo);
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

  /** Partner domains waiting for the organisation's approval, with their held invitations. */
  async approvals(actor: Actor, orgId: OrgId): Promise<Array<{ domain: string; invitations: number; since: number }>> {
    this.requireOrg(actor, orgId);
    const byDomain = new Map<string, { domain: string; invitations: number; since: number }>();
    for (const held of await this.heldFor(orgId)) {
      const entry = byDomain.get(held.domain) ?? { domain: held.domain, invitations: 0, since: held.invitation.createdAt };
      entry.invitations++;
      byDomain.set(held.domain, entry);
    }
    return [...byDomain.values()];
  }

  /**
   * Approves or declines a partner domain. Approval lists the domain as allowed in the
   * policy (audited like any policy change) and sends the held invitations that no other
   * rule stops; declining sends their senders a notice.
   */
  async decideApproval(actor: Actor, orgId: OrgId, domain: string, approve: boolean, now = Date.now()): Promise<{ sent: number; declined: number }> {
    this.requireOrg(actor, orgId);
    const held = (await this.heldFor(orgId)).filter((h) => h.domain === domain.toLowerCase());
    if (held.length === 0) throw new NotFoundError(`No invitation waits for approval of ${domain} in your organisation.`);
    if (approve) {
      const current = this.policies.get(orgId);
      await this.setPolicy(actor, orgId, { ...current, domains: { ...current.domains, [domain.toLowerCase()]: { ...current.domains[domain.toLowerCase()], allow: true } } }, now);
    }

    const payloads: OutboxPayload[] = [];
    const decisions: Array<{ id: InvitationRecord['id']; status: 'pending' | 'declined' }> = [];
    for (const { invitation, sender, invitee } of held) {
      const senderConnection = this.directory.connection(sender.connectionId);
      const inviteeConnection = this.directory.connection(invitee.connectionId);
      if (!senderConnection || !inviteeConnection) continue;
      const senderRef = userRef(sender, senderConnection.platform);
      const from = { orgId: sender.orgId, email: sender.email ?? '' };
      const to = { orgId: invitee.orgId, email: invitee.email ?? invitation.toEmail };
      // The other organisation may ask for approval too; then the invitation waits for it.
      if (approve && this.policies.approvalNeeded(from, to)) continue;
      const allowed = approve && this.policies.decide(from, to, 'messages').allowed;
      if (allowed) {
        const released = { ...invitation, status: 'pending' as const, expiresAt: now + this.invitationExpiryMs };
        decisions.push({ id: invitation.id, status: 'pending' });
        payloads.push(
          contactRequestPayload(released, sender, senderConnection, invitee, inviteeConnection, now),
          noticePayload(senderRef, sender.id, 'command_reply', `Your invitation to ${invitation.toEmail} was approved and sent. It is open until ${day(released.expiresAt)}.`, now),
        );
      } else {
        decisions.push({ id: invitation.id, status: 'declined' });
        payloads.push(noticePayload(senderRef, sender.id, 'command_reply', `Your invitation to ${invitation.toEmail} was not approved; it was not sent.`, now));
      }
    }

    await this.store.transaction(async (repo) => {
      for (const decision of decisions) {
        if (decision.status === 'pending') await repo.releaseInvitation(decision.id, now + this.invitationExpiryMs);
        else await repo.setInvitationStatus(decision.id, 'declined', now);
      }
      await repo.enqueue(payloads.map((p) => outboxRow(p, now)));
      await repo.appendAudit({
        at: now,
        actor: actor.id,
        source: actor.source,
        action: approve ? 'partner.approve' : 'partner.decline',
        orgId,
        target: `domain ${domain.toLowerCase()}`,
        oldValue: 'awaiting_approval',
        newValue: approve ? 'approved' : 'declined',
      });
    });
    this.onCommitted();
    return { sent: decisions.filter((d) => d.status === 'pending').length, declined: decisions.filter((d) => d.status === 'declined').length };
  }

  /** Held invitations whose approval is this organisation's, with the domain it must approve. */
  private async heldFor(orgId: OrgId) {
    const out: Array<{ invitation: InvitationRecord; sender: UserRecord; invitee: UserRecord; domain: string }> = [];
    for (const invitation of await this.store.invitationsAwaitingApproval()) {
      const sender = await this.store.getUser(invitation.fromUserId);
      const invitee = invitation.toUserId ? await this.store.getUser(invitation.toUserId) : undefined;
      if (!sender || !invitee) continue;
      const needed = this.policies.approvalNeeded({ orgId: sender.orgId, email: sender.email ?? '' }, { orgId: invitee.orgId, email: invitee.email ?? invitation.toEmail });
      if (needed?.orgId === orgId) out.push({ invitation, sender, invitee, domain: needed.domain });
    }
    return out;
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

  /** Confines an org admin to their organisation; any other is reported as not found. */
  private requireOrg(actor: Actor, orgId: OrgId): void {
    if ((actor.orgId !== undefined && actor.orgId !== orgId) || !this.directory.orgIds().includes(orgId)) {
      throw new NotFoundError(`No organisation ${orgId}.`);
    }
  }
}
