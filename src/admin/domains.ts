// Domain ownership. An org admin adds a domain and publishes a TXT record at
// `_parley-challenge.<domain>`, which the hub checks through the configured resolver. On a
// closed network an operator approves the domain by hand instead. Only a verified domain
// routes invitations to the organisation.

import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';

import { ErrorCode, NotFoundError, ParleyError } from '../core/errors.js';
import type { OrgId } from '../core/ids.js';
import type { Directory } from '../pipeline/directory.js';
import type { DomainRecord } from '../store/domain-repo.js';
import type { Store } from '../store/store.js';
import type { Actor } from './service.js';

const domainPattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export class DomainConflictError extends ParleyError {
  constructor(message: string) {
    super(ErrorCode.PayloadInvalid, 409, message);
  }
}

export interface DomainView extends DomainRecord {
  /** The DNS record that proves ownership, while the domain is unverified. */
  txtRecord?: { name: string; value: string };
}

export class DomainService {
  private readonly resolver = new Resolver({ timeout: 3000, tries: 2 });

  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    resolverAddress?: string,
  ) {
    if (resolverAddress) this.resolver.setServers([resolverAddress]);
  }

  async list(orgId: OrgId): Promise<DomainView[]> {
    return (await this.store.domains.ofOrg(orgId)).map(view);
  }

  async add(actor: Actor, orgId: OrgId, input: string, now = Date.now()): Promise<DomainView> {
    const domain = input.trim().toLowerCase();
    if (!domainPattern.test(domain)) throw new ParleyError(ErrorCode.PayloadInvalid, 400, `"${input.slice(0, 100)}" is not a domain; give one such as labs.acme.example.`);
    const token = randomBytes(18).toString('base64url');
    if (!(await this.store.domains.add(domain, orgId, token, now))) {
      throw new DomainConflictError(`The domain ${domain} is registered on this hub already. Ask the operator if it is yours.`);
    }
    await this.store.appendAudit({ at: now, actor: actor.id, source: actor.source, action: 'domain.add', orgId, target: `domain ${domain}`, oldValue: null, newValue: 'unverified' });
    return view({ domain, orgId, verified: false, verificationToken: token });
  }

  /** Looks the TXT record up and marks the domain verified when it contains the token. */
  async verify(actor: Actor, orgId: OrgId, domain: string, now = Date.now()): Promise<DomainView> {
    const record = await this.owned(orgId, domain);
    if (record.verified) return view(record);
    let answers: string[][];
    try {
      answers = await this.resolver.resolveTxt(`_parley-challenge.${record.domain}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'lookup failed';
      throw new ParleyError(ErrorCode.PayloadInvalid, 409, `No TXT record found at _parley-challenge.${record.domain} (${code}). Publish the record, wait for DNS to update, and try again.`);
    }
    const expected = `parley-verification=${record.verificationToken}`;
    if (!answers.some((parts) => parts.join('') === expected)) {
      throw new ParleyError(ErrorCode.PayloadInvalid, 409, `The TXT record at _parley-challenge.${record.domain} does not hold this domain's token. Publish "${expected}" and try again.`);
    }
    return this.markVerified(actor, record, 'dns', now);
  }

  /** Verifies a domain on an operator's word, for closed networks where public DNS cannot prove ownership. */
  async approve(actor: Actor, orgId: OrgId, domain: string, now = Date.now()): Promise<DomainView> {
    const record = await this.owned(orgId, domain);
    return record.verified ? view(record) : this.markVerified(actor, record, 'operator', now);
  }

  private async markVerified(actor: Actor, record: DomainRecord, how: string, now: number): Promise<DomainView> {
    await this.store.transaction(async (repo) => {
      await repo.appendAudit({ at: now, actor: actor.id, source: actor.source, action: 'domain.verify', orgId: record.orgId, target: `domain ${record.domain}`, oldValue: 'unverified', newValue: `verified (${how})` });
    });
    await this.store.domains.markVerified(record.domain);
    this.directory.addDomain(record.domain, record.orgId);
    return view({ ...record, verified: true });
  }

  private async owned(orgId: OrgId, domain: string): Promise<DomainRecord> {
    const record = await this.store.domains.get(domain.trim().toLowerCase());
    if (!record || record.orgId !== orgId) throw new NotFoundError(`No domain ${domain} in your organisation.`);
    return record;
  }
}

function view(record: DomainRecord): DomainView {
  if (record.verified || record.verificationToken === null) return record;
  return { ...record, txtRecord: { name: `_parley-challenge.${record.domain}`, value: `parley-verification=${record.verificationToken}` } };
}
