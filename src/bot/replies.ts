// What the bot says. Kept in one place so every platform words it the same way.

import type { PersonCard } from '../core/events.js';
import { platformNames } from '../core/platform.js';
import type { ParseResult } from './commands.js';

export function describePerson(person: PersonCard): string {
  return `${person.displayName} (${person.email}, ${platformNames[person.platform]})`;
}

export const helpText = [
  'Parley connects you with people at other organisations, each on their own chat platform.',
  'Commands:',
  '  invite <email>   ask someone at another organisation to become your contact',
  '  accept [email]   accept a contact request (the email is needed when several are open)',
  '  decline [email]  decline a contact request',
  '  contacts         list your contacts and open requests',
  '  remove <email>   end a contact; you will no longer receive their messages',
  '  profile <email>  show a contact\'s name, title, organisation, platform and picture',
  '  status           show the state of the hub and your contacts',
  '  help             show this list',
  'In a space or channel you have added the Parley bot to, mention the bot:',
  '  channel invite <email>  add a contact to this space; they join it from their own platform',
  '  channel remove <email>  take them out again',
].join('\n');

export function parseErrorReply(result: Extract<ParseResult, { ok: false }>): string {
  switch (result.reason) {
    case 'empty':
      return `Send a command. ${helpText}`;
    case 'unknown_command':
      return `"${result.word ?? ''}" is not a command. Send "help" for the list of commands.`;
    case 'missing_address':
      return `"${result.word ?? ''}" needs an email address, for example: ${result.word ?? 'invite'} bob@partner.example`;
    case 'invalid_address':
      return `"${result.value ?? ''}" is not a valid email address. Use the form name@company.example.`;
    case 'channel_action':
      return `"channel ${result.value ?? ''}" is not a command. Use "channel invite <email>" or "channel remove <email>".`;
  }
}
