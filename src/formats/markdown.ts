// Markdown in (Webex messages sent with formatting), through marked's lexer. Entities and
// raw HTML are kept as literal text. Webex mention tags become mention nodes, with the
// person's email where it is known, and `<@all>` becomes `@all` text, which notifies no one.

import { Lexer, type Token, type Tokens } from 'marked';

import type { Block, Inline, RichText } from '../core/richtext.js';
import { placeholder, placeholderIndex, placeholders, restorePlaceholders } from './placeholders.js';

const mentionTags = /<@(personEmail|personId):([^|>]+)(?:\|([^>]*))?>|<@all>/g;

/** Returns the email of a Webex person id, when the caller knows it. */
export type WebexPersonEmails = (personId: string) => string | undefined;

type Mention = Extract<Inline, { type: 'mention' }>;

/** Replaces mention tags by placeholders, and returns the mentions they stand for. */
function extractMentions(markdown: string, emails: WebexPersonEmails): { text: string; mentions: Mention[] } {
  const mentions: Mention[] = [];
  const text = markdown.replace(placeholders, '').replace(mentionTags, (tag, kind: string | undefined, id: string | undefined, name: string | undefined) => {
    if (kind === undefined || id === undefined) return '@all';
    const email = kind === 'personEmail' ? id.toLowerCase() : emails(id);
    mentions.push({ type: 'mention', name: name ?? email ?? id, ...(email ? { email } : {}) });
    return placeholder(mentions.length - 1);
  });
  return { text, mentions };
}

function inlines(tokens: Token[] | undefined): Inline[] {
  const out: Inline[] = [];
  for (const token of tokens ?? []) {
    switch (token.type) {
      case 'strong':
        out.push({ type: 'bold', children: inlines((token as Tokens.Strong).tokens) });
        break;
      case 'em':
        out.push({ type: 'italic', children: inlines((token as Tokens.Em).tokens) });
        break;
      case 'del':
        out.push({ type: 'strike', children: inlines((token as Tokens.Del).tokens) });
        break;
      case 'codespan':
        out.push({ type: 'code', text: (token as Tokens.Codespan).text });
        break;
      case 'br':
        out.push({ type: 'break' });
        break;
      case 'link': {
        const link = token as Tokens.Link;
        // A bare address that GFM turned into a mailto link stays the address.
        if (link.href === `mailto:${link.text}`) out.push({ type: 'text', text: link.text });
        else out.push({ type: 'link', url: link.href, children: inlines(link.tokens) });
        break;
      }
      case 'image': {
        const image = token as Tokens.Image;
        out.push({ type: 'link', url: image.href, children: image.text ? [{ type: 'text', text: image.text }] : [] });
        break;
      }
      case 'html':
        out.push({ type: 'text', text: (token as Tokens.HTML).text });
        break;
      case 'text': {
        const text = token as Tokens.Text;
        if (text.tokens && text.tokens.length > 0) out.push(...inlines(text.tokens));
        else out.push(...lines(text.text));
        break;
      }
      default:
        // escape tokens and anything newer than this mapping: their text as written.
        out.push({ type: 'text', text: 'text' in token && typeof token.text === 'string' ? token.text : token.raw });
    }
  }
  return out;
}

/** Plain text with its soft line breaks kept as breaks. */
function lines(text: string): Inline[] {
  const out: Inline[] = [];
  text.split('\n').forEach((line, i) => {
    if (i > 0) out.push({ type: 'break' });
    if (line !== '') out.push({ type: 'text', text: line });
  });
  return out;
}

function blocks(tokens: Token[]): Block[] {
  const out: Block[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case 'space':
        break;
      case 'paragraph':
        out.push({ type: 'paragraph', children: inlines((token as Tokens.Paragraph).tokens) });
        break;
      case 'heading':
        out.push({ type: 'paragraph', children: [{ type: 'bold', children: inlines((token as Tokens.Heading).tokens) }] });
        break;
      case 'code': {
        const code = token as Tokens.Code;
        out.push({ type: 'code_block', text: code.text, ...(code.lang ? { language: code.lang } : {}) });
        break;
      }
      case 'blockquote':
        out.push({ type: 'quote', children: blocks((token as Tokens.Blockquote).tokens) });
        break;
      case 'list': {
        const list = token as Tokens.List;
        out.push({ type: 'list', ordered: list.ordered, items: list.items.map((item) => blocks(item.tokens)) });
        break;
      }
      case 'text': {
        const text = token as Tokens.Text;
        out.push({ type: 'paragraph', children: text.tokens ? inlines(text.tokens) : lines(text.text) });
        break;
      }
      default:
        // Tables, rules and raw HTML blocks: their source text.
        out.push({ type: 'paragraph', children: lines(token.raw.trimEnd()) });
    }
  }
  return out;
}

/** Quote markers beyond this depth are read as text: marked recurses once per level. */
const maxQuoteDepth = 32;

/** Escapes the `>` markers of a line beyond `maxQuoteDepth`, so that hostile input cannot exhaust the stack. */
function capQuoteDepth(markdown: string): string {
  return markdown.replace(/^((?:[ \t]{0,3}>){33,})/gm, (markers: string) => {
    let depth = 0;
    return markers.replace(/>/g, (marker) => (++depth > maxQuoteDepth ? '\\>' : marker));
  });
}

/** Parses Webex markdown into the tree; `emails` names the people that `<@personId:...>` tags mention. */
export function parseMarkdown(markdown: string, emails: WebexPersonEmails = () => undefined): RichText {
  const { text, mentions } = extractMentions(markdown, emails);
  const mention = (char: string): Inline => mentions[placeholderIndex(char)] ?? { type: 'text', text: '' };
  // Mentions read as people in text, and as `@Name` inside code.
  return restorePlaceholders(
    { blocks: blocks(new Lexer({ gfm: true }).lex(capQuoteDepth(text))) },
    { node: mention, text: (segment) => segment, literal: (value) => value.replace(placeholders, (char) => `@${mentions[placeholderIndex(char)]?.name ?? ''}`) },
  );
}
