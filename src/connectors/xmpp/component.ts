// One XEP-0114 component stream to the XMPP server: connect, handshake, stanzas both
// ways, and reconnection with back-off. The server is the hub's own (or the org's), and
// it handles server-to-server federation; this stream carries every proxy JID's traffic.

import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';

import type { Logger } from 'pino';

import { child, NS, serialize, StreamError, x, XmlStreamParser, type StreamLimits, type XmlElement } from './xml.js';

export type ComponentStatus = 'connecting' | 'online' | 'offline' | 'stopped';

export interface ComponentOptions {
  host: string;
  port: number;
  /** The component's domain, such as `xmpp.hub.example`. */
  domain: string;
  /** A host of the XMPP server itself, such as `hub.example`, which replies to the hub's pings. */
  serverDomain: string;
  secret: string;
  limits: StreamLimits;
  /** Reconnect delays grow from the first to the last, doubling; in milliseconds. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Time to wait for the server's reply to a ping or a handshake, in milliseconds. */
  replyTimeoutMs: number;
  /** Whitespace keepalive interval, in milliseconds. */
  keepaliveMs: number;
}

interface PendingIq {
  resolve(element: XmlElement): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Raised when a stanza cannot be sent because the stream is down; a retry may help. */
export class ComponentOfflineError extends Error {}

/** An iq the server or its peer answered with an error; `reply` is the error stanza. */
export class IqError extends Error {
  constructor(
    readonly condition: string,
    readonly reply: XmlElement,
  ) {
    super(`The XMPP server returned the error ${condition}.`);
  }
}

/**
 * Emits `stanza` (XmlElement) for each stanza addressed to the component, and `status`
 * (ComponentStatus, code) on every change.
 */
export class ComponentConnection extends EventEmitter {
  private socket: net.Socket | undefined;
  private parser: XmlStreamParser | undefined;
  private state: ComponentStatus = 'offline';
  private stateCode = 'not_started';
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private readonly iqs = new Map<string, PendingIq>();
  private onlineWaiters: Array<() => void> = [];
  private stopping = false;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly options: ComponentOptions,
    private readonly logger: Logger,
  ) {
    super();
  }

  get status(): ComponentStatus {
    return this.state;
  }

  get code(): string {
    return this.stateCode;
  }

  start(): void {
    this.stopping = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.failPending(new ComponentOfflineError('The XMPP component is stopping.'));
    const socket = this.socket;
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end('</stream:stream>');
        setTimeout(() => socket.destroy(), 1000).unref();
      });
    }
    this.setStatus('stopped', 'stopped');
  }

  /** Resolves when the stream is online, or after `ms` with false. */
  waitOnline(ms: number): Promise<boolean> {
    if (this.state === 'online') return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onlineWaiters = this.onlineWaiters.filter((w) => w !== done);
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.onlineWaiters.push(done);
    });
  }

  /** Writes a stanza; throws ComponentOfflineError when the stream is not online. */
  send(stanza: XmlElement): void {
    if (this.state !== 'online' || !this.socket) {
      throw new ComponentOfflineError(`The XMPP component stream to ${this.options.host}:${this.options.port} is ${this.state}.`);
    }
    this.socket.write(serialize(stanza, NS.component));
  }

  /** Sends an iq and resolves with its result; rejects on an error reply or a timeout. */
  request(iq: XmlElement): Promise<XmlElement> {
    const id = iq.attrs.id ?? randomBytes(8).toString('hex');
    iq.attrs.id = id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.iqs.delete(id);
        reject(new ComponentOfflineError(`The XMPP server did not respond within ${this.options.replyTimeoutMs} ms.`));
      }, this.options.replyTimeoutMs);
      this.iqs.set(id, { resolve, reject, timer });
      try {
        this.send(iq);
      } catch (error) {
        clearTimeout(timer);
        this.iqs.delete(id);
        reject(error as Error);
      }
    });
  }

  /**
   * Resolves once the server has read everything written before the call: the server replies to
   * a ping only after it has read the stanzas ahead of it on the stream. Concurrent calls
   * share one ping.
   */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    const ping = x('iq', { type: 'get', from: this.options.domain, to: this.options.serverDomain }, x('ping', { xmlns: 'urn:xmpp:ping' }));
    this.flushing = this.request(ping)
      .then(() => undefined, (error: Error) => {
        // An error reply still proves the server read the stream up to the ping.
        if (error instanceof ComponentOfflineError) throw error;
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private connect(): void {
    if (this.stopping) return;
    this.setStatus('connecting', this.attempt === 0 ? 'connecting' : 'reconnecting');
    const socket = net.connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setNoDelay(true);

    const parser = new XmlStreamParser(
      {
        open: (attrs) => this.onStreamOpen(attrs),
        stanza: (element) => this.onStanza(element),
        close: () => {
          this.logger.warn('The XMPP server closed the component stream.');
          socket.end('</stream:stream>');
        },
        error: (error) => this.onStreamError(error),
      },
      this.options.limits,
    );
    this.parser = parser;

    socket.on('connect', () => {
      socket.write(
        `<?xml version="1.0"?><stream:stream xmlns="${NS.component}" xmlns:stream="${NS.stream}" to="${this.options.domain}">`,
      );
      this.handshakeTimer = setTimeout(() => {
        this.logger.error({ timeout_ms: this.options.replyTimeoutMs }, 'The XMPP server did not finish the component handshake in time.');
        socket.destroy();
      }, this.options.replyTimeoutMs);
    });
    socket.on('data', (chunk: Buffer) => parser.write(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.stateCode = error.code === 'ECONNREFUSED' ? 'connection_refused' : 'socket_error';
      this.logger.warn({ err_code: error.code, host: this.options.host, port: this.options.port }, 'XMPP component connection failed.');
    });
    socket.on('close', () => this.onSocketClose(socket));
  }

  private onStreamOpen(attrs: Record<string, string>): void {
    const id = attrs.id;
    if (!id) {
      this.onStreamError(new StreamError('bad-format', 'The server opened the stream without an id.'));
      return;
    }
    const digest = createHash('sha1').update(id + this.options.secret).digest('hex');
    this.socket?.write(`<handshake>${digest}</handshake>`);
  }

  private onStanza(element: XmlElement): void {
    if (element.name === 'handshake') {
      if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
      this.attempt = 0;
      this.setStatus('online', 'online');
      this.logger.info({ domain: this.options.domain }, 'XMPP component stream is online.');
      const waiters = this.onlineWaiters;
      this.onlineWaiters = [];
      for (const waiter of waiters) waiter();
      this.keepalive = setInterval(() => this.socket?.write(' '), this.options.keepaliveMs);
      this.keepalive.unref();
      return;
    }
    if (element.name === 'error' && element.ns === NS.stream) {
      const condition = element.children.find((c) => typeof c !== 'string' && c.ns === NS.streams && c.name !== 'text');
      const name = typeof condition === 'string' || !condition ? 'undefined-condition' : condition.name;
      this.stateCode = name === 'not-authorized' ? 'auth_failed' : `stream_error_${name}`;
      this.logger.error({ condition: name }, name === 'not-authorized' ? 'The XMPP server rejected the component secret; check xmpp.secret against component_secret.' : 'The XMPP server sent a stream error.');
      return;
    }
    if (element.name === 'iq' && (element.attrs.type === 'result' || element.attrs.type === 'error')) {
      const pending = this.iqs.get(element.attrs.id ?? '');
      if (pending) {
        this.iqs.delete(element.attrs.id ?? '');
        clearTimeout(pending.timer);
        if (element.attrs.type === 'result') pending.resolve(element);
        else pending.reject(new IqError(stanzaErrorCondition(element), element));
        return;
      }
    }
    if (this.state !== 'online') return;
    this.emit('stanza', element);
  }

  private onStreamError(error: StreamError): void {
    this.stateCode = `sent_${error.condition}`;
    this.logger.error({ condition: error.condition, reason: error.message }, 'The XMPP server sent input that breaks the stream rules; closing the stream.');
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    const text = x('text', { xmlns: NS.streams }, error.message);
    socket.end(
      `<stream:error>${serialize(x(error.condition, { xmlns: NS.streams }))}${serialize(text)}</stream:error></stream:stream>`,
    );
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  private onSocketClose(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.parser?.stop();
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    if (this.keepalive) clearInterval(this.keepalive);
    this.failPending(new ComponentOfflineError('The XMPP component stream closed.'));
    this.socket = undefined;
    if (this.stopping) return;

    const delay = Math.min(this.options.reconnectMaxMs, this.options.reconnectMinMs * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    this.setStatus('offline', this.stateCode === 'online' ? 'disconnected' : this.stateCode);
    this.logger.warn({ retry_in_ms: Math.round(delay), attempt: this.attempt, code: this.stateCode }, 'XMPP component stream is down; reconnecting.');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private failPending(error: Error): void {
    for (const [id, pending] of this.iqs) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.iqs.delete(id);
    }
  }

  private setStatus(status: ComponentStatus, code: string): void {
    const changed = status !== this.state || code !== this.stateCode;
    this.state = status;
    this.stateCode = code;
    if (changed) this.emit('status', status, code);
  }
}

/** Returns the defined condition of a stanza error, such as `item-not-found`. */
export function stanzaErrorCondition(stanza: XmlElement): string {
  const error = child(stanza, 'error');
  const condition = error?.children.find((c) => typeof c !== 'string' && c.ns === NS.stanzas && c.name !== 'text');
  return typeof condition === 'string' || !condition ? 'undefined-condition' : condition.name;
}
