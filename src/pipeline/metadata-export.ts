// Exports the metadata log as CSV or JSON lines. Records carry no content, so the export
// carries none either.

import type { Writable } from 'node:stream';

import type { Store } from '../store/store.js';
import type { MetadataRecord } from '../store/types.js';

export type ExportFormat = 'csv' | 'jsonl';

const columns = [
  'time',
  'type',
  'event_kind',
  'sender',
  'receiver',
  'session_id',
  'source_platform',
  'target_platform',
  'source_org',
  'target_org',
  'outcome',
] as const;

function row(record: MetadataRecord): Record<(typeof columns)[number], string> {
  return {
    time: new Date(record.at).toISOString(),
    type: record.type,
    event_kind: record.eventKind,
    sender: record.sender,
    receiver: record.receiver,
    session_id: record.sessionId ?? '',
    source_platform: record.sourcePlatform,
    target_platform: record.targetPlatform ?? '',
    source_org: record.sourceOrg ?? '',
    target_org: record.targetOrg ?? '',
    outcome: record.outcome,
  };
}

/** Quotes a CSV field (RFC 4180) and defuses spreadsheet formulas. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export async function exportMetadata(
  store: Store,
  format: ExportFormat,
  out: Writable,
  range: { from?: number; to?: number } = {},
): Promise<number> {
  return exportRecords((afterSeq) => store.queryMetadata({ ...range, afterSeq, limit: 1000 }), format, out);
}

/**
 * Writes metadata records page by page, as `nextPage` returns them after a sequence number,
 * waiting for the output to drain so that a large export holds one page in memory.
 */
export async function exportRecords(nextPage: (afterSeq: number) => Promise<MetadataRecord[]>, format: ExportFormat, out: Writable): Promise<number> {
  let count = 0;
  let afterSeq = 0;
  if (format === 'csv') out.write(`${columns.join(',')}\n`);

  for (;;) {
    const page = await nextPage(afterSeq);
    for (const record of page) {
      const fields = row(record);
      out.write(format === 'csv' ? `${columns.map((c) => csvField(fields[c])).join(',')}\n` : `${JSON.stringify(fields)}\n`);
      count++;
    }
    if (out.writableNeedDrain) await new Promise((resolve) => out.once('drain', resolve));
    const last = page[page.length - 1];
    if (!last) break;
    afterSeq = last.seq;
  }
  return count;
}
