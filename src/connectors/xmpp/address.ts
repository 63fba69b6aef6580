// Addresses: each external contact gets a JID on the component's domain whose localpart is
// their email with XEP-0106 escaping, so `alice@acme.example` becomes
// `alice\40acme.example@xmpp.hub.example` and the domain stays readable. XMPP users are
// known by their bare JID, which is also their email-style address.

/** XEP-0106 §4.2: the characters escaped in a localpart, with their escapes. */
const escapes: Record<string, string> = {
  ' ': '\\20',
  '"': '\\22',
  '&': '\\26',
  "'": '\\27',
  '/': '\\2f',
  ':': '\\3a',
  '<': '\\3c',
  '>': '\\3e',
  '@': '\\40',
  '\\': '\\5c',
};
const unescapes = new Map(Object.entries(escapes).map(([c, e]) => [e, c]));

export function escapeLocalpart(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    // A backslash is escaped only where it would otherwise start an escape sequence.
    if (c === '\\') {
      out += unescapes.has(value.slice(i, i + 3).toLowerCase()) ? '\\5c' : c;
      continue;
    }
    out += escapes[c] ?? c;
  }
  return out;
}

export function unescapeLocalpart(value: string): string {
  return value.replace(/\\(20|22|26|27|2f|3a|3c|3e|40|5c)/gi, (sequence) => unescapes.get(sequence.toLowerCase()) ?? sequence);
}

export interface Jid {
  local?: string;
  domain: string;
  resource?: string;
}

/**
 * Splits a JID into its parts, lowercasing localpart and domain (a simplified form of the
 * RFC 7622 preparation); undefined when it is not a JID.
 */
export function parseJid(value: string | undefined): Jid | undefined {
  if (!value || value.length > 3071) return undefined;
  const slash = value.indexOf('/');
  const bare = slash < 0 ? value : value.slice(0, slash);
  const resource = slash < 0 ? undefined : value.slice(slash + 1);
  const at = bare.indexOf('@');
  const local = at < 0 ? undefined : bare.slice(0, at).toLowerCase();
  const domain = (at < 0 ? bare : bare.slice(at + 1)).toLowerCase().replace(/\.$/, '');
  if (domain.length === 0 || domain.includes('@') || local === '' || resource === '') return undefined;
  if (local !== undefined && (local.length > 1023 || /[\s"&'/:<>@]/.test(local))) return undefined;
  return { ...(local !== undefined ? { local } : {}), domain, ...(resource !== undefined ? { resource } : {}) };
}

export function bareJid(jid: Jid): string {
  return jid.local === undefined ? jid.domain : `${jid.local}@${jid.domain}`;
}

/** Returns the proxy JID of an external contact with this email, on the component's domain. */
export function proxyJid(email: string, componentDomain: string): string {
  return `${escapeLocalpart(email.toLowerCase())}@${componentDomain}`;
}

/** Returns the email a proxy JID is for; undefined when the JID is not a proxy of this domain. */
export function emailOfProxy(jid: Jid, componentDomain: string): string | undefined {
  if (jid.domain !== componentDomain || jid.local === undefined) return undefined;
  const email = unescapeLocalpart(jid.local);
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) ? email : undefined;
}
