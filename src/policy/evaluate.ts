// Evaluates federation policies. A crossing is allowed only when both organisations allow
// it, each judging the other party by its domain. Every decision names the rule that made
// it, which is what `explain` shows an admin.

import { openPolicy, type Feature, type OrgPolicy, type Rules } from './model.js';

/** Facts the policies may ask about a file: its size, media type and name, where known. */
export interface FileFacts {
  bytes?: number;
  mediaType?: string;
  name?: string;
}

/**
 * Reads a file's facts as an admin types them (explain's options): the size in bytes and the
 * media type. A wrong value comes back with a message that names it and the fix.
 */
export function parseFileFacts(input: { size?: string; mediaType?: string; name?: string }): { facts?: FileFacts } | { invalid: 'size' | 'type'; message: string } {
  const facts: FileFacts = {};
  if (input.size !== undefined) {
    if (!/^\d{1,15}$/.test(input.size)) return { invalid: 'size', message: `"${input.size.slice(0, 40)}" is not a number of bytes; give one such as 1048576.` };
    facts.bytes = Number(input.size);
  }
  if (input.mediaType !== undefined) {
    if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(input.mediaType)) {
      return { invalid: 'type', message: `"${input.mediaType.slice(0, 80)}" is not a media type; give one such as application/pdf.` };
    }
    facts.mediaType = input.mediaType.toLowerCase();
  }
  if (input.name !== undefined) facts.name = input.name.slice(0, 1000);
  return Object.keys(facts).length > 0 ? { facts } : {};
}

/** Returns whether a file matches a pattern: a media type, a family such as `image/*`, or an extension. */
export function matchesFileType(pattern: string, file: FileFacts): boolean {
  if (pattern.startsWith('.')) {
    // Invisible characters and trailing dots or spaces, which Windows drops when it saves a
    // file, cannot hide an extension: `setup.exe.` and `setup.ex\u00ade` count as `.exe`.
    const name = (file.name ?? '')
      .normalize('NFKC')
      .replace(/\p{Cf}/gu, '')
      .replace(/[. ]+$/, '')
      .toLowerCase();
    return name.endsWith(pattern) && name.length > pattern.length;
  }
  const type = (file.mediaType ?? '').split(';')[0]!.trim().toLowerCase();
  return pattern.endsWith('/*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}

/** One side of a crossing, as its own organisation judges it. */
export interface Party {
  orgId: string;
  email: string;
}

export interface Verdict {
  allowed: boolean;
  /** The organisation whose rule decided, and the rule, such as `user alice@acme.example: files off`. */
  orgId: string;
  rule: string;
}

export interface Decision {
  allowed: boolean;
  /** For files: the smallest size limit either side sets, when one does. */
  maxFileBytes?: number;
  /** Each organisation's verdict, the local side first; a denial lists the denying one first. */
  verdicts: Verdict[];
  /** The sentence a user gets about a denial; it names no rule internals beyond the level. */
  reason: string;
}

function domainOf(email: string): string {
  return (email.split('@')[1] ?? '').toLowerCase();
}

function domainRules(policy: OrgPolicy, domain: string): OrgPolicy['domains'][string] | undefined {
  return Object.entries(policy.domains).find(([name]) => name.toLowerCase() === domain)?.[1];
}

/** Lists the settings that apply to `local`, most specific first, each with a label for explain. */
function levels(policy: OrgPolicy, local: string, externalDomain: string): Array<{ label: string; rules: Rules }> {
  const out: Array<{ label: string; rules: Rules }> = [];
  const user = Object.entries(policy.users).find(([email]) => email.toLowerCase() === local)?.[1];
  if (user) out.push({ label: `user ${local}`, rules: user });
  for (const [name, group] of Object.entries(policy.groups)) {
    if (group.members.map((m) => m.toLowerCase()).includes(local)) out.push({ label: `group ${name}`, rules: group.rules });
  }
  const domain = domainRules(policy, externalDomain);
  if (domain) out.push({ label: `domain ${externalDomain}`, rules: domain });
  out.push({ label: 'organisation defaults', rules: policy.defaults });
  return out;
}

/**
 * Judges one organisation's side: may `local` (one of its users) use `feature` with
 * `external` (someone at another organisation)?
 */
export function judge(orgId: string, policy: OrgPolicy, local: string, external: string, feature: Feature, file?: FileFacts): Verdict {
  const localEmail = local.toLowerCase();
  const externalDomain = domainOf(external);
  const listed = domainRules(policy, externalDomain)?.allow;

  if (policy.mode === 'allow_list' && listed !== true) {
    return { allowed: false, orgId, rule: `federation mode allow_list: ${externalDomain} is not on the list` };
  }
  if (policy.mode === 'block_list' && listed === false) {
    return { allowed: false, orgId, rule: `federation mode block_list: ${externalDomain} is blocked` };
  }

  const applicable = levels(policy, localEmail, externalDomain);
  const federate = applicable.find((level) => level.rules.federate !== undefined);
  if (federate && federate.rules.federate === false) {
    return { allowed: false, orgId, rule: `${federate.label}: federation off` };
  }

  const switched = applicable.find((level) => level.rules.features?.[feature] !== undefined);
  if (switched) {
    const on = switched.rules.features![feature]!;
    if (!on) return { allowed: false, orgId, rule: `${switched.label}: ${feature} off` };
  } else if (policy.defaultDeny) {
    return { allowed: false, orgId, rule: `default deny: no level switches ${feature} on` };
  }

  if (feature === 'files' && file?.bytes !== undefined) {
    const limit = applicable.find((level) => level.rules.maxFileBytes !== undefined);
    if (limit && file.bytes > limit.rules.maxFileBytes!) {
      return { allowed: false, orgId, rule: `${limit.label}: files over ${limit.rules.maxFileBytes} bytes` };
    }
  }
  if (feature === 'files' && file && (file.mediaType !== undefined || file.name !== undefined)) {
    const types = applicable.find((level) => level.rules.fileTypes !== undefined);
    const { allow, block } = types?.rules.fileTypes ?? {};
    const blocked = block?.find((pattern) => matchesFileType(pattern, file));
    if (types && blocked) return { allowed: false, orgId, rule: `${types.label}: file type ${blocked} blocked` };
    if (types && allow && !allow.some((pattern) => matchesFileType(pattern, file))) {
      return { allowed: false, orgId, rule: `${types.label}: file type not in ${allow.join(', ')}` };
    }
  }

  return { allowed: true, orgId, rule: switched ? `${switched.label}: ${feature} on` : `no rule denies ${feature}` };
}

/** Returns the file size limit for `local` with `external`, from the most specific level that sets one. */
function fileLimit(policy: OrgPolicy | undefined, local: string, external: string): number | undefined {
  if (!policy) return undefined;
  return levels(policy, local.toLowerCase(), domainOf(external)).find((level) => level.rules.maxFileBytes !== undefined)?.rules.maxFileBytes;
}

const featureWords: Record<Feature, string> = {
  messages: 'messages',
  files: 'files',
  presence: 'presence',
  typing: 'typing notifications',
  reactions: 'reactions',
  rich_text: 'formatted text',
  channel_invites: 'channel invitations',
};

/** Decides a crossing from `from` to `to`: both organisations' policies must allow it. */
export function decide(
  policies: ReadonlyMap<string, OrgPolicy>,
  from: Party,
  to: Party,
  feature: Feature,
  file?: FileFacts,
): Decision {
  const fromVerdict = judge(from.orgId, policies.get(from.orgId) ?? openPolicy, from.email, to.email, feature, file);
  const toVerdict = judge(to.orgId, policies.get(to.orgId) ?? openPolicy, to.email, from.email, feature, file);
  const denied = [fromVerdict, toVerdict].filter((v) => !v.allowed);
  if (denied.length === 0) {
    const limits = feature === 'files' ? [fileLimit(policies.get(from.orgId), from.email, to.email), fileLimit(policies.get(to.orgId), to.email, from.email)] : [];
    const known = limits.filter((l): l is number => l !== undefined);
    return { allowed: true, verdicts: [fromVerdict, toVerdict], reason: '', ...(known.length > 0 ? { maxFileBytes: Math.min(...known) } : {}) };
  }

  const first = denied[0]!;
  const whose = first.orgId === from.orgId ? 'your organisation' : `${domainOf(to.email)}`;
  return {
    allowed: false,
    verdicts: [...denied, ...[fromVerdict, toVerdict].filter((v) => v.allowed)],
    reason: `the federation policy of ${whose} does not allow ${featureWords[feature]} between you and ${to.email}.`,
  };
}
