// Troubleshooting one organisation: search the metadata log, act on dead letters, see the
// connections' state, and ask the policies whether a feature may cross between two users.

import { useState, type FormEvent } from 'react';

import { api, ApiError, orgPath, withQuery } from '../api';
import { DataTable, ErrorMessage, Field, formatTime, Link, Loading, type Column } from '../components';
import { useApiData, usePageTitle } from '../hooks';
import { navigate, orgRoute, useUrl } from '../router';
import { features, metadataTypes, type Connection, type DeadLetter, type Decision, type MetadataRecord, type Verdict } from '../types';

const searchFields = ['user', 'type', 'sessionId', 'from', 'to', 'limit'] as const;
type SearchField = (typeof searchFields)[number];
type Search = Record<SearchField, string>;

/** Reads a datetime-local value as UTC, the zone the portal shows, and returns epoch milliseconds. */
function utcMillis(value: string): number | undefined {
  if (value === '') return undefined;
  const ms = Date.parse(`${value}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Renders a link to a session's timeline that shows the first 8 characters of its id, to keep tables narrow. */
function SessionLink({ org, sessionId }: { org: string; sessionId: string }) {
  return (
    <Link to={orgRoute(org, 'sessions', sessionId)} label={`Session ${sessionId}`}>
      {sessionId.length > 9 ? `${sessionId.slice(0, 8)}…` : sessionId}
    </Link>
  );
}

function metadataColumns(org: string): Array<Column<MetadataRecord>> {
  return [
    { header: 'Time', value: (r) => formatTime(r.at) },
    { header: 'Type', value: (r) => r.type },
    { header: 'Kind', value: (r) => r.eventKind },
    { header: 'Sender', value: (r) => r.sender },
    { header: 'Receiver', value: (r) => r.receiver },
    {
      header: 'Session',
      value: (r) => r.sessionId,
      render: (r) => (r.sessionId ? <SessionLink org={org} sessionId={r.sessionId} /> : '—'),
    },
    { header: 'Platforms', value: (r) => `${r.sourcePlatform} → ${r.targetPlatform ?? '—'}` },
    { header: 'Organisations', value: (r) => `${r.sourceOrg ?? '—'} → ${r.targetOrg ?? '—'}` },
    { header: 'Outcome', value: (r) => r.outcome, render: (r) => <span className={`badge outcome-${r.outcome}`}>{r.outcome}</span> },
    { header: 'Seq', value: (r) => r.seq, numeric: true },
  ];
}

function MetadataSearch({ org, homeOrg }: { org: string; homeOrg: string | null }) {
  const url = useUrl();
  const current = Object.fromEntries(searchFields.map((f) => [f, url.searchParams.get(f) ?? ''])) as Search;
  const afterSeq = url.searchParams.get('afterSeq') ?? '';
  const [form, setForm] = useState<Search>({ ...current, limit: current.limit || '100' });
  const [invalid, setInvalid] = useState<string>();
  // The search runs only after the form is sent, because only then does the URL have a limit.
  const searched = current.limit !== '';
  const results = useApiData<{ records: MetadataRecord[] }>(searched ? orgPath(org, 'metadata') : null, {
    user: current.user.trim().toLowerCase(),
    type: current.type,
    sessionId: current.sessionId.trim(),
    from: utcMillis(current.from),
    to: utcMillis(current.to),
    limit: current.limit,
    afterSeq,
  });

  const set = (field: SearchField) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    for (const field of ['from', 'to'] as const) {
      if (form[field] !== '' && utcMillis(form[field]) === undefined) {
        setInvalid(`Invalid ${field} time "${form[field]}": give a date and time such as 2026-01-31T14:00.`);
        return;
      }
    }
    setInvalid(undefined);
    navigate(withQuery(orgRoute(org, 'troubleshooting'), form) + '#metadata');
  };
  const records = results.data?.records ?? [];
  const last = records[records.length - 1];
  const fullPage = last !== undefined && records.length === Number(current.limit);

  return (
    <section className="panel" aria-labelledby="metadata">
      <h2 id="metadata">Metadata search</h2>
      <p className="help">Records the organisation sent or received, in the order the hub logged them: who, to whom, what kind, when and the outcome. Never content. Times are UTC.</p>
      <form className="filters" onSubmit={submit} aria-label="Metadata search">
        <Field label="User">
          {(id) => (
            <input id={id} type="email" name="user" value={form.user} onChange={set('user')} placeholder="alice@acme.example" />
          )}
        </Field>
        <Field label="Type">
          {(id) => (
            <select id={id} name="type" value={form.type} onChange={set('type')}>
              <option value="">Any type</option>
              {metadataTypes.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Session id">
          {(id) => (
            <input id={id} name="sessionId" value={form.sessionId} onChange={set('sessionId')} maxLength={64} />
          )}
        </Field>
        <Field label="From (UTC)">
          {(id) => (
            <input id={id} type="datetime-local" name="from" value={form.from} onChange={set('from')} />
          )}
        </Field>
        <Field label="Until (UTC)">
          {(id) => (
            <input id={id} type="datetime-local" name="to" value={form.to} onChange={set('to')} />
          )}
        </Field>
        <Field label="Records per page">
          {(id) => (
            <input id={id} type="number" name="limit" min={1} max={10000} value={form.limit} onChange={set('limit')} required />
          )}
        </Field>
        <div className="filter-actions">
          <button type="submit" className="primary">
            Search
          </button>
        </div>
      </form>
      {invalid ? (
        <p className="notice notice-error" role="alert">
          {invalid}
        </p>
      ) : null}
      {results.error ? <ErrorMessage error={results.error} homeOrg={homeOrg} /> : null}
      {results.loading ? <Loading what="metadata records" /> : null}
      {results.data ? (
        <>
          <p role="status">
            {records.length === 0 ? 'No records match.' : `${records.length} records${afterSeq ? ` after seq ${afterSeq}` : ''}.`}
          </p>
          <DataTable caption="Metadata records" hideCaption columns={metadataColumns(org)} rows={records} rowKey={(r) => String(r.seq)} csvName={`parley-${org}-metadata-search.csv`} empty="No records match." />
          <div className="pager">
            {afterSeq ? <Link to={withQuery(orgRoute(org, 'troubleshooting'), current) + '#metadata'}>First page</Link> : null}
            {fullPage ? <Link to={withQuery(orgRoute(org, 'troubleshooting'), { ...current, afterSeq: last.seq }) + '#metadata'}>Next page</Link> : null}
          </div>
        </>
      ) : null}
    </section>
  );
}

function DeadLetters({ org, canChange }: { org: string; canChange: boolean }) {
  const list = useApiData<{ deadLetters: DeadLetter[] }>(orgPath(org, 'dead-letters'));
  const [status, setStatus] = useState<{ text: string; error?: boolean }>();
  const [busy, setBusy] = useState<string>();

  const act = async (deadLetter: DeadLetter, action: 'retry' | 'discard') => {
    if (action === 'discard' && !window.confirm(`Discard dead letter ${deadLetter.id} and its content? This cannot be undone.`)) return;
    setBusy(deadLetter.id);
    try {
      if (action === 'retry') {
        await api('POST', orgPath(org, 'dead-letters', deadLetter.id, 'retry'));
        setStatus({ text: `Dead letter ${deadLetter.id} is queued again; the policy is checked again before it is sent.` });
      } else {
        await api('DELETE', orgPath(org, 'dead-letters', deadLetter.id));
        setStatus({ text: `Dead letter ${deadLetter.id} and its content are discarded.` });
      }
    } catch (error) {
      setStatus({ text: error instanceof ApiError ? error.message : String(error), error: true });
    } finally {
      setBusy(undefined);
      list.reload();
    }
  };

  const columns: Array<Column<DeadLetter>> = [
    { header: 'Id', value: (d) => d.id, rowHeader: true },
    { header: 'Connection', value: (d) => d.connectionId },
    {
      header: 'Session',
      value: (d) => d.sessionId,
      render: (d) => (d.sessionId ? <SessionLink org={org} sessionId={d.sessionId} /> : '—'),
    },
    { header: 'Reason', value: (d) => d.reason },
    { header: 'Attempts', value: (d) => d.attempts, numeric: true },
    { header: 'Failed at', value: (d) => formatTime(d.failedAt) },
    ...(canChange
      ? [
          {
            header: 'Actions',
            value: () => '',
            render: (d: DeadLetter) => (
              <div className="row-actions">
                <button type="button" disabled={busy !== undefined} onClick={() => void act(d, 'retry')} aria-label={`Retry dead letter ${d.id}`}>
                  Retry
                </button>
                <button type="button" className="danger" disabled={busy !== undefined} onClick={() => void act(d, 'discard')} aria-label={`Discard dead letter ${d.id}`}>
                  Discard
                </button>
              </div>
            ),
          },
        ]
      : []),
  ];

  return (
    <section className="panel" aria-labelledby="dead-letters">
      <div className="panel-header">
        <h2 id="dead-letters">Dead letters</h2>
        <div className="toolbar">
          <button type="button" onClick={list.reload}>
            Refresh
          </button>
        </div>
      </div>
      <p className="help">Deliveries to the organisation&apos;s connections that failed for good, newest first; never their content.</p>
      <div aria-live="polite">
        {status ? <p className={status.error ? 'notice notice-error' : 'notice'}>{status.text}</p> : null}
      </div>
      {list.error ? <ErrorMessage error={list.error} /> : null}
      {list.data ? <DataTable caption="Dead letters" hideCaption columns={columns} rows={list.data.deadLetters} rowKey={(d) => d.id} empty="No dead letters." /> : <Loading what="dead letters" />}
    </section>
  );
}

const connectionColumns: Array<Column<Connection>> = [
  { header: 'Id', value: (c) => c.id, rowHeader: true },
  { header: 'Platform', value: (c) => c.platform },
  { header: 'Defined in', value: (c) => (c.source === 'config' ? 'config file' : 'admin API') },
  { header: 'State', value: (c) => c.state.status, render: (c) => <span className={`badge state-${c.state.status}`}>{c.state.status}</span> },
  { header: 'Code', value: (c) => c.state.code ?? '' },
  { header: 'Since', value: (c) => (c.state.since ? formatTime(Date.parse(c.state.since)) : '') },
  { header: 'Waiting', value: (c) => c.queue.waiting, numeric: true },
  { header: 'Oldest waiting since', value: (c) => (c.queue.oldestQueuedAt ? formatTime(Date.parse(c.queue.oldestQueuedAt)) : '—') },
  { header: 'Last success', value: (c) => (c.health?.lastSuccessAt ? formatTime(Date.parse(c.health.lastSuccessAt)) : '—') },
  { header: 'Last hour delivered / failed', value: (c) => (c.health ? `${c.health.lastHour.delivered} / ${c.health.lastHour.failed}` : '—') },
  { header: 'Last error', value: (c) => c.health?.lastError ?? '—' },
];

function Connections({ org, canChange }: { org: string; canChange: boolean }) {
  const list = useApiData<{ connections: Connection[] }>(orgPath(org, 'connections'));
  const [result, setResult] = useState<{ text: string; error?: boolean }>();
  const [testing, setTesting] = useState<string>();

  const test = async (connection: Connection) => {
    setTesting(connection.id);
    try {
      const outcome = await api<{ ok: boolean; durationMs: number; error?: string }>('POST', orgPath(org, 'connections', connection.id, 'test'));
      setResult(
        outcome.ok
          ? { text: `Connection ${connection.id} works: the platform answered in ${outcome.durationMs} ms.` }
          : { text: `Connection ${connection.id} failed its test: ${outcome.error ?? 'no answer'}. Check its credentials and the platform's status.`, error: true },
      );
    } catch (error) {
      setResult({ text: error instanceof ApiError ? error.message : String(error), error: true });
    } finally {
      setTesting(undefined);
      list.reload();
    }
  };

  const columns: Array<Column<Connection>> = [
    ...connectionColumns,
    ...(canChange
      ? [
          {
            header: 'Actions',
            value: () => '',
            render: (c: Connection) => (
              <button type="button" disabled={testing !== undefined} onClick={() => void test(c)} aria-label={`Test connection ${c.id}`}>
                {testing === c.id ? 'Testing…' : 'Test'}
              </button>
            ),
          },
        ]
      : []),
  ];

  return (
    <section className="panel" aria-labelledby="connections">
      <div className="panel-header">
        <h2 id="connections">Connections</h2>
        <div className="toolbar">
          <button type="button" onClick={list.reload}>
            Refresh
          </button>
        </div>
      </div>
      {list.error ? <ErrorMessage error={list.error} /> : null}
      {result ? (
        <p className={result.error ? 'notice notice-error' : 'notice'} role="status">
          {result.text}
        </p>
      ) : null}
      {list.data ? <DataTable caption="Connections" hideCaption columns={columns} rows={list.data.connections} rowKey={(c) => c.id} empty="No connections." /> : <Loading what="connections" />}
    </section>
  );
}

const verdictColumns: Array<Column<Verdict>> = [
  { header: 'Organisation', value: (v) => v.orgId, rowHeader: true },
  { header: 'Allowed', value: (v) => (v.allowed ? 'yes' : 'no') },
  { header: 'Rule', value: (v) => v.rule },
];

function Explain({ org }: { org: string }) {
  const [form, setForm] = useState({ from: '', to: '', feature: 'messages', fileBytes: '', fileType: '', fileName: '' });
  const [result, setResult] = useState<Decision>();
  const [error, setError] = useState<string>();
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setResult(undefined);
    const files = form.feature === 'files';
    try {
      setResult(
        await api<Decision>('GET', orgPath(org, 'explain'), {
          query: {
            from: form.from.trim(),
            to: form.to.trim(),
            feature: form.feature,
            ...(files ? { fileBytes: form.fileBytes.trim(), fileType: form.fileType.trim(), fileName: form.fileName.trim() } : {}),
          },
        }),
      );
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    }
  };

  return (
    <section className="panel" aria-labelledby="explain">
      <h2 id="explain">Explain a policy decision</h2>
      <p className="help">Whether the policies of both organisations allow a feature between two users, and the rule that decides.</p>
      <form className="filters" onSubmit={submit} aria-label="Explain a policy decision">
        <Field label="From">
          {(id) => (
            <input id={id} type="email" name="from" required value={form.from} onChange={set('from')} placeholder="alice@acme.example" />
          )}
        </Field>
        <Field label="To">
          {(id) => (
            <input id={id} type="email" name="to" required value={form.to} onChange={set('to')} placeholder="bob@globex.example" />
          )}
        </Field>
        <Field label="Feature">
          {(id) => (
            <select id={id} name="feature" value={form.feature} onChange={set('feature')}>
              {features.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          )}
        </Field>
        {form.feature === 'files' ? (
          <>
            <Field label="File size (bytes)">
              {(id) => (
                <input id={id} type="number" name="fileBytes" min={0} value={form.fileBytes} onChange={set('fileBytes')} placeholder="1048576" />
              )}
            </Field>
            <Field label="Media type">
              {(id) => (
                <input id={id} name="fileType" value={form.fileType} onChange={set('fileType')} placeholder="application/pdf" />
              )}
            </Field>
            <Field label="File name">
              {(id) => (
                <input id={id} name="fileName" value={form.fileName} onChange={set('fileName')} placeholder="report.pdf" />
              )}
            </Field>
          </>
        ) : null}
        <div className="filter-actions">
          <button type="submit" className="primary">
            Explain
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {error ? <p className="notice notice-error">{error}</p> : null}
        {result ? (
          <div className="explain-result">
            <p className={result.allowed ? 'verdict verdict-allowed' : 'verdict verdict-denied'}>
              {result.allowed ? 'Allowed' : 'Denied'}
              {result.reason ? `: ${result.reason}` : ''}
            </p>
            <DataTable caption="Verdict of each organisation" columns={verdictColumns} rows={result.verdicts} rowKey={(v) => v.orgId} />
          </div>
        ) : null}
      </div>
    </section>
  );
}

export function TroubleshootingPage({ org, homeOrg, canChange }: { org: string; homeOrg: string | null; canChange: boolean }) {
  usePageTitle(`Troubleshooting ${org}`);
  const url = useUrl();
  return (
    <main id="content">
      <h1 tabIndex={-1}>Troubleshooting {org}</h1>
      <nav aria-label="Sections of this page" className="section-nav">
        <a href="#metadata">Metadata search</a>
        <a href="#dead-letters">Dead letters</a>
        <a href="#connections">Connections</a>
        <a href="#explain">Explain a policy decision</a>
      </nav>
      {/* A new search URL, such as from the navigation or the pager, resets the form to it. */}
      <MetadataSearch key={url.search} org={org} homeOrg={homeOrg} />
      <DeadLetters org={org} canChange={canChange} />
      <Connections org={org} canChange={canChange} />
      <Explain org={org} />
    </main>
  );
}
