// What the pipeline knows about the hub's connections and organisations.

import type { Connector } from '../core/connector.js';
import type { PersonCard, UserRef } from '../core/events.js';
import type { ConnectionId, OrgId, PlatformUserId } from '../core/ids.js';
import type { Platform } from '../core/platform.js';
import type { UserRecord } from '../store/types.js';

export interface ConnectionInfo {
  id: ConnectionId;
  orgId: OrgId;
  platform: Platform;
  connector: Connector;
}

export class Directory {
  private readonly connections = new Map<ConnectionId, ConnectionInfo>();
  private readonly domains = new Map<string, OrgId>();

  constructor(connections: ConnectionInfo[], orgDomains: Iterable<[string, OrgId]>) {
    for (const connection of connections) this.connections.set(connection.id, connection);
    for (const [domain, org] of orgDomains) this.domains.set(domain.toLowerCase(), org);
  }

  connection(id: ConnectionId): ConnectionInfo | undefined {
    return this.connections.get(id);
  }

  all(): ConnectionInfo[] {
    return [...this.connections.values()];
  }

  orgOfDomain(domain: string): OrgId | undefined {
    return this.domains.get(domain.toLowerCase());
  }

  /** Adds a connection started while the hub runs, or replaces one with the same id. */
  addConnection(connection: ConnectionInfo): void {
    this.connections.set(connection.id, connection);
  }

  removeConnection(id: ConnectionId): void {
    this.connections.delete(id);
  }

  /** Adds a domain verified while the hub runs; invitations to it resolve from then on. */
  addDomain(domain: string, orgId: OrgId): void {
    this.domains.set(domain.toLowerCase(), orgId);
  }

  /** Lists the organisations that own a domain or a connection. */
  orgIds(): OrgId[] {
    return [...new Set([...this.domains.values(), ...this.all().map((c) => c.orgId)])];
  }

  connectionsOfOrg(orgId: OrgId): ConnectionInfo[] {
    return this.all().filter((c) => c.orgId === orgId);
  }
}

export function userRef(user: UserRecord, platform: Platform): UserRef {
  return {
    platform,
    connectionId: user.connectionId,
    platformUserId: user.platformUserId,
    ...(user.email ? { email: user.email } : {}),
    ...(user.displayName ? { displayName: user.displayName } : {}),
  };
}

export function personCard(user: UserRecord, platform: Platform): PersonCard {
  const email = user.email ?? `${user.platformUserId}@unknown`;
  return {
    displayName: user.displayName ?? email,
    email,
    domain: email.split('@')[1] ?? '',
    platform,
    ...(user.avatarUrl ? { avatarUrl: user.avatarUrl } : {}),
  };
}

/** Builds the sender the hub uses for its own notices on a platform. */
export function botRef(recipient: UserRef): UserRef {
  return {
    platform: recipient.platform,
    connectionId: recipient.connectionId,
    platformUserId: 'parley-bot' as PlatformUserId,
    displayName: 'Parley',
  };
}
