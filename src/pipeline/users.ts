import { randomUUID } from 'node:crypto';

import type { UserRef } from '../core/events.js';
import type { UserId } from '../core/ids.js';
import type { Store } from '../store/store.js';
import type { UserRecord } from '../store/types.js';
import type { ConnectionInfo } from './directory.js';

/** Finds or creates the hub's row for a platform user, refreshing what the platform reported. */
export function resolveUser(
  store: Store,
  connection: ConnectionInfo,
  ref: UserRef,
  at: number,
  details: { email?: string | undefined; displayName?: string | undefined; avatarUrl?: string | undefined } = {},
): Promise<UserRecord> {
  return store.upsertUser({
    id: randomUUID() as UserId,
    connectionId: connection.id,
    platformUserId: ref.platformUserId,
    email: details.email ?? ref.email,
    displayName: details.displayName ?? ref.displayName,
    avatarUrl: details.avatarUrl,
    orgId: connection.orgId,
    at,
  });
}
