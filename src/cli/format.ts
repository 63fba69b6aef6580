// `parley format --from PLATFORM --to PLATFORM`: reads one message as the source platform
// writes it and prints what the target platform would receive, for an admin looking into a
// formatting complaint. Only the text conversion runs; nothing is sent anywhere.

import type { RichText } from '../core/richtext.js';
import { parseMarkdown } from '../formats/markdown.js';
import { parsePlain, renderPlain } from '../formats/plain.js';
import { parseSlack, renderSlack } from '../formats/slack.js';
import { parseStyling, renderStyling } from '../formats/styling.js';
import { hasStyling, renderWebexMarkdown } from '../formats/webex.js';

const parsers: Record<string, (text: string) => RichText> = {
  webex: parseMarkdown,
  slack: (text) => parseSlack(text),
  xmpp: parseStyling,
  plain: parsePlain,
};

const renderers: Record<string, (rich: RichText) => string> = {
  // Webex gets markdown only when the message has formatting, as the connector sends it.
  webex: (rich) => (hasStyling(rich) ? renderWebexMarkdown(rich) : renderPlain(rich)),
  slack: renderSlack,
  xmpp: renderStyling,
  plain: renderPlain,
};

/** Converts one message; returns the output, or an error naming the bad option and the choices. */
export function formatMessage(from: string | undefined, to: string | undefined, input: string): { ok: boolean; text: string } {
  const names = Object.keys(parsers).join(', ');
  if (!from) return { ok: false, text: `parley: format needs --from PLATFORM, one of ${names}.` };
  if (!to) return { ok: false, text: `parley: format needs --to PLATFORM, one of ${names}.` };
  if (!parsers[from]) return { ok: false, text: `parley: --from "${from}" is not a platform; use one of ${names}.` };
  if (!renderers[to]) return { ok: false, text: `parley: --to "${to}" is not a platform; use one of ${names}.` };
  // A trailing newline from a pipe or a heredoc is not part of the message.
  const message = input.replace(/\r?\n$/, '');
  return { ok: true, text: renderers[to](parsers[from](message)) };
}
