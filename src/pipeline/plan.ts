import type { Repo } from '../store/repo.js';
import type { MessageMapInsert, MetadataInsert } from '../store/types.js';
import type { OutboxPayload } from './outbox.js';

/**
 * Everything one inbound event leads to. The pipeline commits it in one transaction with
 * the dedup mark, so a crash leaves either all of it or none.
 */
export interface Plan {
  deliveries: OutboxPayload[];
  metadata: MetadataInsert[];
  messageMap: MessageMapInsert[];
  /** Domain writes (invitations, contacts) that belong to the same transaction. */
  apply?: (repo: Repo) => Promise<void>;
}

export function emptyPlan(): Plan {
  return { deliveries: [], metadata: [], messageMap: [] };
}
