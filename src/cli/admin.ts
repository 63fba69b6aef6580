// `parley admin ...`: the operator's admin actions from the command line, against the hub's
// database. A running hub reads stored policies every few seconds, and suspensions and
// revocations on its next event, so these take effect without a restart.

import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

import { parse } from 'yaml';

import { AccountService } from '../admin/accounts.js';
import { AdminService, type Actor } from '../admin/service.js';
import type { AdminRole } from '../store/admin-repo.js';
import { CredentialSealer } from '../store/credentials.js';
import { ConfigInvalidError } from '../core/errors.js';
import type { ConnectionId, OrgId } from '../core/ids.js';
import { Directory } from '../pipeline/directory.js';
import { PolicyBook } from '../policy/book.js';
import { storeOptions, type ResolvedConfig } from '../server/config.js';
import { createConnector } from '../server/registry.js';
import { Store } from '../store/store.js';

export interface AdminOptions {
  role?: string | undefined;
  org?: string | undefined;
  file?: string | undefined;
  email?: string | undefined;
  sso?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export const adminUsage = `  admin ...                        admin actions, each written to the audit log:
  admin create --config FILE --email EMAIL --role operator|org_admin|auditor [--org ID] [--sso]
                                   create an admin; the password is read from
                                   PARLEY_ADMIN_PASSWORD, and the TOTP secret and
                                   recovery codes are printed once; with --sso, an
                                   org admin or auditor who logs in only through the
                                   organisation's single sign-on
  admin policy show --config FILE --org ID
  admin policy set --config FILE --org ID --file POLICY.yaml
  admin suspend|reinstate --config FILE --email EMAIL
  admin revoke --config FILE --from EMAIL --to EMAIL
  admin audit --config FILE [--org ID]
`;

/** Reads a policy file; an empty, missing or unreadable file is an error, never the open policy. */
function readPolicyFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigInvalidError(`Cannot read the policy file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}. Check the path.`);
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new ConfigInvalidError(`The policy file ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (value === null || value === undefined) {
    throw new ConfigInvalidError(`The policy file ${file} is empty; write the policy, or "mode: open" for the open policy.`);
  }
  return value;
}

function need(value: string | undefined, flag: string, action: string): string {
  if (!value) throw new ConfigInvalidError(`"parley admin ${action}" needs ${flag}.`);
  return value;
}

/** Runs one admin action and returns its output; throws a ParleyError with the fix on bad input. */
export async function runAdmin(
  config: ResolvedConfig,
  action: string[],
  options: AdminOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
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
    const knownOrg = (org: string): string => {
      if (!config.orgs.some((o) => o.id === org)) {
        throw new ConfigInvalidError(`No organisation "${org}" in the config; use one of ${config.orgs.map((o) => o.id).join(', ')}.`);
      }
      return org;
    };

    switch (action.join(' ')) {
      case 'create': {
        const email = need(options.email, '--email EMAIL', 'create');
        const role = need(options.role, '--role operator|org_admin|auditor', 'create');
        if (!['operator', 'org_admin', 'auditor'].includes(role)) {
          throw new ConfigInvalidError(`Unknown role "${role}"; use operator, org_admin or auditor.`);
        }
        if (role === 'operator' && options.org !== undefined) {
          throw new ConfigInvalidError('An operator acts for the whole hub; leave out --org.');
        }
        if (role !== 'operator' && !config.orgs.some((org) => org.id === options.org)) {
          throw new ConfigInvalidError(`A ${role} needs --org with the id of an organisation in the config.`);
        }
        if (options.sso) {
          const org = config.orgs.find((o) => o.id === options.org);
          if (!org?.sso) throw new ConfigInvalidError(`Organisation ${String(options.org)} has no sso section in the config; add one before creating single sign-on admins.`);
          await new AccountService(store).create({ email, role: role as AdminRole, orgId: org.id as OrgId, sso: true });
          await store.appendAudit({ at: Date.now(), actor: actor.id, source: actor.source, action: 'admin.create', orgId: org.id as OrgId, target: `admin ${email}`, oldValue: null, newValue: `${role} (single sign-on)` });
          return `Admin ${email} (${role}) created; they log in through ${org.sso.issuer} at /api/v1/sso/${org.id}/login.`;
        }
        const password = env.PARLEY_ADMIN_PASSWORD;
        if (!password) throw new ConfigInvalidError('Set the new admin\'s password in the environment variable PARLEY_ADMIN_PASSWORD.');
        const created = await new AccountService(store, undefined, CredentialSealer.fromEnv(env)).create({ email, role: role as AdminRole, ...(options.org ? { orgId: options.org as OrgId } : {}), password });
        await store.appendAudit({ at: Date.now(), actor: actor.id, source: actor.source, action: 'admin.create', orgId: (options.org ?? null) as OrgId | null, target: `admin ${email}`, oldValue: null, newValue: role });
        return [
          `Admin ${email} (${role}) created.`,
          'Add this to an authenticator app (it is shown only now):',
          `  ${created.totpUri}`,
          'Recovery codes, each usable once instead of a TOTP code (shown only now):',
          ...created.recoveryCodes.map((c) => `  ${c}`),
        ].join('\n');
      }
      case 'policy show':
        return JSON.stringify(policies.get(knownOrg(need(options.org, '--org ID', 'policy show'))), null, 2);
      case 'policy set': {
        const org = knownOrg(need(options.org, '--org ID', 'policy set'));
        const file = need(options.file, '--file POLICY.yaml', 'policy set');
        const policy = await admin.setPolicy(actor, org as OrgId, readPolicyFile(file));
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
        const entries = await store.listAudit(options.org === undefined ? undefined : (knownOrg(options.org) as OrgId));
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
