// Changes to a federation policy that the portal makes: one partner domain blocked or
// unblocked, every other setting kept as it is.

import type { Policy } from './types';

/**
 * Returns the policy with `domain` blocked. In open and block_list mode the result is a block
 * list with domains[domain].allow = false. An allow list stays an allow list, since turning it
 * into a block list would let in every domain not listed. There allow = false blocks too.
 */
export function withDomainBlocked(policy: Policy, domain: string): Policy {
  return {
    ...policy,
    mode: policy.mode === 'allow_list' ? 'allow_list' : 'block_list',
    domains: { ...policy.domains, [domain]: { ...policy.domains[domain], allow: false } },
  };
}

/**
 * Returns the policy with `domain` no longer blocked: its `allow` is removed, or set to true
 * on an allow list, where only listed domains may federate. The domain's other settings stay.
 */
export function withDomainUnblocked(policy: Policy, domain: string): Policy {
  const { allow: _allow, ...rest } = policy.domains[domain] ?? {};
  const domains = { ...policy.domains };
  if (policy.mode === 'allow_list') domains[domain] = { ...rest, allow: true };
  else if (Object.keys(rest).length > 0) domains[domain] = rest;
  else delete domains[domain];
  return { ...policy, domains };
}
