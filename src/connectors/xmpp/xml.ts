// XML for XMPP streams: a small element tree, its serialiser, and a stream parser built on
// saxes. The parser accepts only the restricted XML of RFC 6120 §11: no DTD, comment,
// processing instruction or entity beyond the five predefined ones. It also enforces size,
// depth and time limits, and each breach becomes the stream error RFC 6120 names.

import { StringDecoder } from 'node:string_decoder';

import { SaxesParser, type SaxesTagNS } from 'saxes';

export const NS = {
  component: 'jabber:component:accept',
  stream: 'http://etherx.jabber.org/streams',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
} as const;

export interface XmlElement {
  /** Local name, such as `message`. */
  name: string;
  /** Namespace URI; empty in a built element means the parent's namespace. */
  ns: string;
  /** Attributes other than namespace declarations, by their qualified name. */
  attrs: Record<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

/** Builds an element. `attrs.xmlns` sets its namespace; undefined attributes are left out. */
export function x(name: string, attrs: Record<string, string | undefined> = {}, ...children: Array<XmlNode | undefined | false>): XmlElement {
  const { xmlns, ...rest } = attrs;
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) clean[key] = value;
  return { name, ns: xmlns ?? '', attrs: clean, children: children.filter((c): c is XmlNode => c !== undefined && c !== false) };
}

/** Finds the first child element with this name and, when given, namespace. */
export function child(element: XmlElement, name: string, ns?: string): XmlElement | undefined {
  for (const node of element.children) {
    if (typeof node !== 'string' && node.name === name && (ns === undefined || node.ns === ns)) return node;
  }
  return undefined;
}

export function children(element: XmlElement, name?: string, ns?: string): XmlElement[] {
  return element.children.filter(
    (node): node is XmlElement => typeof node !== 'string' && (name === undefined || node.name === name) && (ns === undefined || node.ns === ns),
  );
}

/** Returns the element's text content, its descendants' included. */
export function text(element: XmlElement | undefined): string {
  if (!element) return '';
  return element.children.map((node) => (typeof node === 'string' ? node : text(node))).join('');
}

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Serialises an element; `parentNs` is the namespace in scope, so it is not repeated. */
export function serialize(element: XmlElement, parentNs = ''): string {
  // An element built without a namespace takes its parent's, as unprefixed XML does.
  const ns = element.ns || parentNs;
  let out = `<${element.name}`;
  if (ns !== parentNs) out += ` xmlns="${escapeXml(ns)}"`;
  for (const [key, value] of Object.entries(element.attrs)) out += ` ${key}="${escapeXml(value)}"`;
  if (element.children.length === 0) return `${out}/>`;
  out += '>';
  for (const node of element.children) out += typeof node === 'string' ? escapeXml(node) : serialize(node, ns);
  return `${out}</${element.name}>`;
}

/** A stream-level error condition of RFC 6120 §4.9.3 that this parser raises. */
export type StreamCondition = 'not-well-formed' | 'restricted-xml' | 'policy-violation' | 'invalid-namespace' | 'bad-format';

export class StreamError extends Error {
  constructor(
    readonly condition: StreamCondition,
    message: string,
  ) {
    super(message);
    this.name = 'StreamError';
  }
}

export interface StreamLimits {
  /** Largest stanza, and largest run of text between stanzas, in bytes. */
  maxStanzaBytes: number;
  /** Deepest element nesting inside a stanza. */
  maxDepth: number;
  /** Time a stanza may take from its first byte to its end, in milliseconds. */
  stanzaTimeoutMs: number;
}

export const defaultStreamLimits: StreamLimits = {
  maxStanzaBytes: 512 * 1024,
  maxDepth: 64,
  stanzaTimeoutMs: 30_000,
};

export interface StreamHandlers {
  /** The stream header arrived; `attrs` are its attributes (id, from, to, version). */
  open(attrs: Record<string, string>): void;
  stanza(element: XmlElement): void;
  /** The peer closed its stream with `</stream:stream>`. */
  close(): void;
  /** A limit or well-formedness rule was broken; nothing more is parsed. */
  error(error: StreamError): void;
}

/**
 * Parses one XMPP stream from raw socket bytes. Stanzas are the children of the stream
 * element; each is handed over whole once its end tag arrives.
 */
export class XmlStreamParser {
  private readonly parser: SaxesParser<{ xmlns: true }>;
  private readonly decoder = new StringDecoder('utf8');
  private readonly stack: XmlElement[] = [];
  private depth = 0;
  /** Bytes fed since the last stanza ended (or the stream opened). */
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  private failed = false;

  constructor(
    private readonly handlers: StreamHandlers,
    private readonly limits: StreamLimits = defaultStreamLimits,
  ) {
    this.parser = new SaxesParser({ xmlns: true, position: false });
    const restricted = (what: string) => () => this.fail(new StreamError('restricted-xml', `The stream contains ${what}, which XMPP does not allow.`));
    this.parser.on('doctype', restricted('a document type declaration'));
    this.parser.on('comment', restricted('a comment'));
    this.parser.on('processinginstruction', restricted('a processing instruction'));
    this.parser.on('opentag', (tag) => this.onOpen(tag));
    this.parser.on('closetag', () => this.onClose());
    this.parser.on('text', (value) => this.onText(value));
    this.parser.on('cdata', (value) => this.onText(value));
    this.parser.on('error', (error) => {
      const entity = /entity/i.test(error.message);
      this.fail(new StreamError(entity ? 'restricted-xml' : 'not-well-formed', entity ? 'The stream uses an entity other than the five XML predefines.' : `The stream is not well-formed XML: ${firstLine(error.message)}`));
    });
  }

  get stopped(): boolean {
    return this.failed;
  }

  write(chunk: Buffer): void {
    if (this.failed) return;
    this.pending += chunk.length;
    if (this.pending > this.limits.maxStanzaBytes) {
      this.fail(new StreamError('policy-violation', `A stanza exceeded ${this.limits.maxStanzaBytes} bytes.`));
      return;
    }
    const value = this.decoder.write(chunk);
    if (value.length === 0) return;
    if (this.timer === undefined && (this.depth > 1 || value.trim().length > 0)) {
      this.timer = setTimeout(
        () => this.fail(new StreamError('policy-violation', `A stanza took more than ${this.limits.stanzaTimeoutMs} ms to arrive.`)),
        this.limits.stanzaTimeoutMs,
      );
      this.timer.unref();
    }
    try {
      this.parser.write(value);
    } catch (error) {
      // saxes throws from write() only when a handler threw; report it as malformed input.
      this.fail(new StreamError('not-well-formed', `The stream could not be parsed: ${firstLine((error as Error).message)}`));
    }
  }

  /** Stops parsing and timers; call when the socket closes. */
  stop(): void {
    this.failed = true;
    this.clearTimer();
  }

  private onOpen(tag: SaxesTagNS): void {
    if (this.failed) return;
    this.depth++;
    if (this.depth === 1) {
      if (tag.local !== 'stream' || tag.uri !== NS.stream) {
        this.fail(new StreamError('invalid-namespace', `The stream must open with <stream:stream> in ${NS.stream}.`));
        return;
      }
      this.pending = 0;
      this.handlers.open(plainAttributes(tag));
      return;
    }
    if (this.depth - 1 > this.limits.maxDepth) {
      this.fail(new StreamError('policy-violation', `A stanza nests elements deeper than ${this.limits.maxDepth} levels.`));
      return;
    }
    const element: XmlElement = { name: tag.local, ns: tag.uri, attrs: plainAttributes(tag), children: [] };
    this.stack[this.stack.length - 1]?.children.push(element);
    this.stack.push(element);
  }

  private onClose(): void {
    if (this.failed) return;
    this.depth--;
    if (this.depth === 0) {
      this.clearTimer();
      this.handlers.close();
      return;
    }
    const element = this.stack.pop();
    if (this.depth === 1 && element) {
      this.pending = 0;
      this.clearTimer();
      this.handlers.stanza(element);
    }
  }

  private onText(value: string): void {
    if (this.failed) return;
    const parent = this.stack[this.stack.length - 1];
    if (parent) {
      parent.children.push(value);
    } else if (value.trim().length > 0) {
      this.fail(new StreamError('not-well-formed', 'The stream has text between stanzas.'));
    }
  }

  private fail(error: StreamError): void {
    if (this.failed) return;
    this.failed = true;
    this.clearTimer();
    this.stack.length = 0;
    this.handlers.error(error);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function plainAttributes(tag: SaxesTagNS): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const attribute of Object.values(tag.attributes)) {
    if (attribute.prefix === 'xmlns' || attribute.name === 'xmlns') continue;
    attrs[attribute.name] = attribute.value;
  }
  return attrs;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').slice(0, 200);
}
