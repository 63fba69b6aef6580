// Mentions in Webex markdown: `<@personEmail:a@b.example>`, `<@personEmail:a@b.example|Name>`,
// `<@personId:ID>`, `<@personId:ID|Name>` and `<@all>` (Webex developer guide, "Formatting
// messages"). Only room members count as mentioned, as in Webex.
import type { PersonRecord, WebexState } from './state.js';

const mentionPattern = /<@(personEmail|personId):([^|>]+)(?:\|([^>]*))?>|<@all>/g;

export interface ParsedMarkdown {
  mentionedPeople: string[];
  mentionedGroups: string[];
  /** Plain-text rendering with each mention replaced by the name. */
  text: string;
  html: string;
}

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/**
 * Finds the mentions of `markdown` among the members of `roomId` and renders text and html.
 * NOTE: the html is the escaped text in one paragraph with `<spark-mention>` elements. It is not
 * a markdown renderer, so bold, links and lists appear as their markdown source.
 */
export function parseMarkdown(state: WebexState, roomId: string, markdown: string): ParsedMarkdown {
  const mentionedPeople: string[] = [];
  const mentionedGroups: string[] = [];
  let text = '';
  let html = '';
  let last = 0;

  for (const match of markdown.matchAll(mentionPattern)) {
    const before = markdown.slice(last, match.index);
    text += before;
    html += escapeHtml(before);
    last = match.index + match[0].length;

    if (match[0] === '<@all>') {
      if (!mentionedGroups.includes('all')) {
        mentionedGroups.push('all');
      }
      text += 'All';
      html += '<spark-mention data-object-type="groupMention" data-group-type="all">All</spark-mention>';
      continue;
    }

    const key = match[2] ?? '';
    const person: PersonRecord | undefined =
      match[1] === 'personEmail' ? state.personByEmail(key) : state.people.get(key.trim());
    const name = match[3] ?? person?.displayName ?? key;
    text += name;

    if (person && state.isMember(roomId, person.id)) {
      if (!mentionedPeople.includes(person.id)) {
        mentionedPeople.push(person.id);
      }
      html += `<spark-mention data-object-type="person" data-object-id="${escapeHtml(person.id)}">${escapeHtml(name)}</spark-mention>`;
    } else {
      html += escapeHtml(name);
    }
  }

  const rest = markdown.slice(last);
  text += rest;
  html += escapeHtml(rest);
  return { mentionedPeople, mentionedGroups, text, html: `<p>${html}</p>` };
}
