// The platform-neutral parser for what users type to the Parley bot.

export type Command =
  | { name: 'help' }
  | { name: 'invite'; email: string }
  | { name: 'accept'; email?: string }
  | { name: 'decline'; email?: string }
  | { name: 'contacts' }
  | { name: 'remove'; email: string }
  | { name: 'profile'; email: string }
  | { name: 'status' }
  /** Shares the space or channel the command is sent in with a contact, or takes them out. */
  | { name: 'channel'; action: 'invite' | 'remove'; email: string };

export type ParseResult =
  | { ok: true; command: Command }
  | { ok: false; reason: 'empty' | 'unknown_command' | 'missing_address' | 'invalid_address' | 'channel_action'; word?: string; value?: string };

export const commandNames = ['help', 'invite', 'accept', 'decline', 'contacts', 'remove', 'profile', 'status', 'channel'] as const;

// A practical address check: one @, a local part without spaces, and a DNS domain with a
// dot. Addresses are compared in lower case.
const emailPattern = /^[^\s@<>()[\]\\,;:"]{1,64}@(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Removes the markup a platform adds around an address: `<mailto:a@b|a@b>`, `mailto:`. */
function cleanAddress(word: string): string {
  let value = word.trim();
  const slackLink = /^<mailto:([^|>]+)(\|[^>]*)?>$/.exec(value);
  if (slackLink?.[1]) value = slackLink[1];
  value = value.replace(/^mailto:/i, '').replace(/^<|>$/g, '');
  return value.toLowerCase();
}

export function isEmail(value: string): boolean {
  return emailPattern.test(value);
}

export function parseCommand(input: string): ParseResult {
  const words = input.trim().split(/\s+/).filter((w) => w !== '');
  const first = words[0];
  if (first === undefined) return { ok: false, reason: 'empty' };

  const name = first.toLowerCase().replace(/^\//, '');
  if (!(commandNames as readonly string[]).includes(name)) {
    return { ok: false, reason: 'unknown_command', word: first.slice(0, 40) };
  }

  const argument = words[1] === undefined ? undefined : cleanAddress(words[1]);
  switch (name) {
    case 'help':
    case 'contacts':
    case 'status':
      return { ok: true, command: { name } };
    case 'invite':
    case 'remove':
    case 'profile':
      if (argument === undefined) return { ok: false, reason: 'missing_address', word: name };
      if (!isEmail(argument)) return { ok: false, reason: 'invalid_address', word: name, value: argument.slice(0, 80) };
      return { ok: true, command: { name, email: argument } };
    case 'channel': {
      const action = words[1]?.toLowerCase();
      if (action !== 'invite' && action !== 'remove') return { ok: false, reason: 'channel_action', value: (words[1] ?? '').slice(0, 40) };
      const address = words[2] === undefined ? undefined : cleanAddress(words[2]);
      if (address === undefined) return { ok: false, reason: 'missing_address', word: `channel ${action}` };
      if (!isEmail(address)) return { ok: false, reason: 'invalid_address', word: `channel ${action}`, value: address.slice(0, 80) };
      return { ok: true, command: { name, action, email: address } };
    }
    case 'accept':
    case 'decline':
      if (argument === undefined) return { ok: true, command: { name } };
      if (!isEmail(argument)) return { ok: false, reason: 'invalid_address', word: name, value: argument.slice(0, 80) };
      return { ok: true, command: { name, email: argument } };
  }
  return { ok: false, reason: 'unknown_command', word: first.slice(0, 40) };
}
