// The parts of @xmpp/client 0.14 the tests use; the package ships no type declarations.

declare module '@xmpp/client' {
  export interface Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: Array<Element | string>;
    is(name: string, xmlns?: string): boolean;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
    toString(): string;
  }

  export function xml(name: string, attrs?: Record<string, string | undefined>, ...children: Array<Element | string>): Element;

  export interface Client {
    reconnect: { stop(): void };
    on(event: 'stanza', listener: (stanza: Element) => void): void;
    on(event: 'error' | 'offline' | 'online', listener: (...args: unknown[]) => void): void;
    start(): Promise<{ toString(): string }>;
    stop(): Promise<void>;
    send(stanza: Element): Promise<void>;
  }

  export function client(options: Record<string, unknown>): Client;
}
