// The parts of a connector that pipeline tests do not exercise: no routes, nothing to start
// or stop, always connected, nobody to find. Tests extend it with the `send` they need.

import type { Connector, Delivery, SendResult } from '../../src/core/connector.js';
import type { ConnectionId } from '../../src/core/ids.js';
import type { Platform } from '../../src/core/platform.js';

export abstract class BaseFakeConnector implements Connector {
  constructor(
    readonly connectionId: ConnectionId,
    readonly platform: Platform,
  ) {}

  routes() {
    return [];
  }
  async start() {}
  async stop() {}
  state() {
    return { status: 'connected' as const, since: '' };
  }
  async findPersonByEmail() {
    return undefined;
  }
  abstract send(delivery: Delivery): Promise<SendResult>;
}
