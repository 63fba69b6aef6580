// `parley policy explain`: answers "may A use this feature with B, and why not?" from the
// policies in a config, naming the rule that decides for each organisation.

import { PolicyBook } from '../policy/book.js';
import { parseFileFacts } from '../policy/evaluate.js';
import { features, orgPolicySchema, type Feature } from '../policy/model.js';
import type { ResolvedConfig } from '../server/config.js';

export function explainPolicy(
  config: ResolvedConfig,
  from: string | undefined,
  to: string | undefined,
  feature: string,
  stored: Array<{ orgId: string; policy: string }> = [],
  fileOptions: { size?: string; mediaType?: string; name?: string } = {},
): { ok: boolean; text: string } {
  if (!from || !to) return { ok: false, text: 'parley: policy explain needs --from EMAIL and --to EMAIL.' };
  const file = parseFileFacts(fileOptions);
  if ('invalid' in file) return { ok: false, text: `parley: --${file.invalid === 'size' ? 'size' : 'type'} ${file.message}` };
  if (!(features as readonly string[]).includes(feature)) {
    return { ok: false, text: `parley: --feature "${feature}" is not a policy feature; use one of ${features.join(', ')}.` };
  }
  const orgOf = (email: string) => config.orgs.find((org) => org.domains.includes((email.split('@')[1] ?? '').toLowerCase()))?.id;
  const fromOrg = orgOf(from);
  const toOrg = orgOf(to);
  if (!fromOrg || !toOrg) {
    const missing = fromOrg ? to : from;
    return { ok: false, text: `parley: no organisation in the config has the domain of ${missing}; add it to an org's domains.` };
  }

  // Policies an admin stored replace the config's, as in the running hub.
  const book = new PolicyBook(config.orgs.filter((org) => org.policy).map((org) => [org.id, org.policy!]));
  for (const { orgId, policy } of stored) book.set(orgId, orgPolicySchema.parse(JSON.parse(policy)));
  const decision = book.decide({ orgId: fromOrg, email: from }, { orgId: toOrg, email: to }, feature as Feature, file.facts);
  const lines = [
    `${decision.allowed ? 'Allowed' : 'Denied'}: ${feature} from ${from} (${fromOrg}) to ${to} (${toOrg}).`,
    ...decision.verdicts.map((v) => `  ${v.orgId}: ${v.allowed ? 'allows' : 'denies'} (${v.rule})`),
  ];
  return { ok: true, text: lines.join('\n') };
}

