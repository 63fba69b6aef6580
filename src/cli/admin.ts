// `parley admin ...`: the operator's admin actions from the command line, against the hub's
// database. A running hub reads stored policies every few seconds, and suspensions and
// revocations on its next event, so these take effect without a restart.

import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

import { parse } from 'yaml';

import { AdminService, type Actor } from '../admin/service.js';
import { ConfigInvalidError } from '../core/errors.js';
import type { ConnectionId, OrgId } from '../core/ids.js';
import { Directory } from '../pipeline/directory.js';
import { PolicyBook } from '../policy/book.js';
import { storeOptions, type ResolvedConfig } from '../server/config.js';
import { createConnector } from '../server/registry.js';
import { Store } from '../store/store.js';

export interface AdminOptions {
  org?: string | undefined;
  file?: string | undefined;
  email?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export const adminUsage = `  admin policy show --config FILE --org ID
  admin policy set --config FILE --org ID --file POLICY.yaml
  admin suspend|reinstate --config FILE --email EMAIL
  admin revoke --config FILE --from EMAIL --to EMAIL
  admin audit --config FILE [--org ID]
                                   admin actions, each written to the audit log
`;

function need(value: string | undefined, flag: string, action: string): string {
  if (!value) throw new ConfigInvalidError(`"parley admin ${action}" needs ${flag}.`);
  return value;
}

/** Runs one admin action and returns its output; throws a ParleyError with the fix on bad input. */
export async function runAdmin(config: ResolvedConfig, action: string[], options: AdminOptions): Promise<string> {
  const store = await Store.open(storeOptions(config));
  try {
    await store.migrate();
    const infos = config.connections.map((c) => ({
      id: c.id as ConnectionId,
      orgId: c.org as OrgId,
      platform: c.platform,
      // Built for their platform name only; nothing here starts or calls them.
      connector: createConnector(c),
    }));
    const directory = new Directory(infos, config.orgs.flatMap((org) => org.domains.map((d): [string, OrgId] => [d, org.id as OrgId])));
    const policies = new PolicyBook(config.orgs.filter((org) => org.policy).map((org) => [org.id, org.policy!]));
    const admin = new AdminService(store, directory, policies, () => undefined);
    await admin.loadStoredPolicies();
    const actor: Actor = { id: `cli:${userInfo().username}`, source: 'cli' };

    switch (action.join(' ')) {
      case 'policy show':
        return JSON.stringify(policies.get(need(options.org, '--org ID', 'policy show')), null, 2);
      case 'policy set': {
        const org = need(options.org, '--org ID', 'policy set');
        const file = need(options.file, '--file POLICY.yaml', 'policy set');
        const policy = await admin.setPolicy(actor, org as OrgId, parse(readFileSync(file, 'utf8')) ?? {});
        return `Policy of ${org} set (mode ${policy.mode}). A running hub applies it within 5 seconds.`;
      }
      case 'suspend':
      case 'reinstate': {
        const email = need(options.email, '--email EMAIL', action[0]!);
        const users = await admin.setSuspended(actor, email, action[0] === 'suspend');
        return `${email} ${action[0] === 'suspend' ? 'suspended' : 'reinstated'} on ${users.length} connection(s).`;
      }
      case 'revoke': {
        const from = need(options.from, '--from EMAIL', 'revoke');
        const to = need(options.to, '--to EMAIL', 'revoke');
        await admin.revokeContact(actor, await admin.contactBetween(actor, from, to));
        return `Contact between ${from} and ${to} revoked; both were told.`;
      }
      case 'audit': {
        const entries = await store.listAudit(options.org as OrgId | undefined);
        return entries
          .map((e) => `${new Date(e.at).toISOString()} ${e.actor} (${e.source}) ${e.action} ${e.target}: ${e.oldValue ?? '-'} -> ${e.newValue ?? '-'}`)
          .join('\n');
      }
      default:
        throw new ConfigInvalidError(`Unknown admin action "${action.join(' ')}". Actions:\n${adminUsage}`);
    }
  } finally {
    await store.close();
  }
}
