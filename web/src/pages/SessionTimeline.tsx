// The timeline of one chat session: its metadata records ordered by time
// (GET .../metadata?sessionId=), with type, kind and outcome.

import { useEffect, useState } from 'react';

import { api, ApiError, orgPath } from '../api';
import { ErrorMessage, formatTime, Link, Loading } from '../components';
import { usePageTitle } from '../hooks';
import { orgRoute } from '../router';
import type { MetadataRecord } from '../types';

const pageSize = 1000;
/** The maximum number of pages read, so that a very long session cannot hold up the browser. */
const maxPages = 20;

/** Reads the session's records page by page, and sets `truncated` when it stopped at maxPages. */
async function loadSession(org: string, sessionId: string, signal: AbortSignal): Promise<{ records: MetadataRecord[]; truncated: boolean }> {
  const records: MetadataRecord[] = [];
  let afterSeq: number | undefined;
  for (let page = 0; page < maxPages; page++) {
    const batch = (await api<{ records: MetadataRecord[] }>('GET', orgPath(org, 'metadata'), { query: { sessionId, limit: pageSize, afterSeq }, signal })).records;
    records.push(...batch);
    const last = batch[batch.length - 1];
    if (batch.length < pageSize || last === undefined) return { records: sortByTime(records), truncated: false };
    afterSeq = last.seq;
  }
  return { records: sortByTime(records), truncated: true };
}

/** Orders by time, and records of the same millisecond in the order the hub wrote them. */
function sortByTime(records: MetadataRecord[]): MetadataRecord[] {
  return records.sort((a, b) => a.at - b.at || a.seq - b.seq);
}

const failedOutcomes = new Set(['dead_letter', 'rejected', 'policy_denied']);

/** Returns the class of the item's marker on the timeline: green when delivered, red when failed. */
function markerClass(outcome: string): string {
  if (outcome === 'delivered') return 'is-delivered';
  return failedOutcomes.has(outcome) ? 'is-failed' : '';
}

export function SessionTimelinePage({ org, sessionId, homeOrg }: { org: string; sessionId: string; homeOrg: string | null }) {
  usePageTitle(`Session ${sessionId}`);
  const [state, setState] = useState<{ key: string; records?: MetadataRecord[]; truncated?: boolean; error?: ApiError }>();
  const key = `${org}/${sessionId}`;

  useEffect(() => {
    const controller = new AbortController();
    loadSession(org, sessionId, controller.signal).then(
      (result) => setState({ key, ...result }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ key, error: error instanceof ApiError ? error : new ApiError(0, 'client_error', String(error)) });
      },
    );
    return () => controller.abort();
  }, [org, sessionId, key]);

  const current = state?.key === key ? state : undefined;
  const records = current?.records;
  const participants = records ? [...new Set(records.flatMap((r) => [r.sender, r.receiver]))].sort() : [];

  return (
    <main id="content">
      <p className="breadcrumb">
        <Link to={orgRoute(org, 'troubleshooting')}>Troubleshooting {org}</Link>
      </p>
      <h1 tabIndex={-1}>
        Session <code>{sessionId}</code>
      </h1>
      {current?.error ? <ErrorMessage error={current.error} homeOrg={homeOrg} /> : null}
      {!current ? <Loading what="the session's records" /> : null}
      {records ? (
        <>
          <p role="status">
            {records.length === 0
              ? 'No metadata records of this session are visible to this organisation.'
              : `${records.length} records from ${formatTime(records[0]!.at)} to ${formatTime(records[records.length - 1]!.at)}, between ${participants.join(', ')}.`}
          </p>
          {current?.truncated ? (
            <p className="notice">
              Only the first {pageSize * maxPages} records are shown. Search the metadata log by session id and time to read the rest.
            </p>
          ) : null}
          <ol className="timeline">
            {records.map((r) => (
              <li key={r.seq} className={`timeline-item ${markerClass(r.outcome)}`}>
                <time dateTime={new Date(r.at).toISOString()}>{formatTime(r.at)}</time>
                <div className="timeline-body">
                  <p className="timeline-title">
                    <span className="badge">{r.type}</span> <span className="kind">{r.eventKind}</span>{' '}
                    <span className={`badge outcome-${r.outcome}`}>{r.outcome}</span>
                  </p>
                  <p>
                    {r.sender} → {r.receiver}
                  </p>
                  <p className="help">
                    {r.sourcePlatform} → {r.targetPlatform ?? '—'}, {r.sourceOrg ?? '—'} → {r.targetOrg ?? '—'}, seq {r.seq}
                  </p>
                </div>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </main>
  );
}
