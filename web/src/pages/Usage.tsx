// The usage report (GET .../analytics/usage): per partner domain, local domain or platform,
// over whole months, as a table and as the hub's own CSV download. The report's settings
// live in the URL query.

import { useState, type FormEvent } from 'react';

import { orgPath, withQuery } from '../api';
import { DataTable, ErrorMessage, Field, Loading, type Column } from '../components';
import { useApiData, usePageTitle } from '../hooks';
import { navigate, orgRoute, useUrl } from '../router';
import type { UsageBreakdown, UsageDimension, UsageReport } from '../types';

const dimensions: Array<{ value: UsageDimension; label: string }> = [
  { value: 'partner_domain', label: 'Partner domain' },
  { value: 'user_domain', label: 'Local domain' },
  { value: 'platform', label: 'Platform' },
];

function dimensionOf(value: string | null): UsageDimension {
  return dimensions.find((d) => d.value === value)?.value ?? 'partner_domain';
}

interface ReportQuery {
  by: UsageDimension;
  from: string;
  to: string;
}

function ReportForm({ org, query }: { org: string; query: ReportQuery }) {
  const [by, setBy] = useState(query.by);
  const [from, setFrom] = useState(query.from);
  const [to, setTo] = useState(query.to);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(withQuery(orgRoute(org, 'usage'), { by, from, to }));
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Report settings">
      <Field label="Group by">
        {(id) => (
          <select id={id} name="by" value={by} onChange={(e) => setBy(dimensionOf(e.target.value))}>
            {dimensions.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="First month">
        {(id) => (
          <input id={id} type="month" name="from" value={from} onChange={(e) => setFrom(e.target.value)} placeholder="YYYY-MM" aria-describedby="month-help" />
        )}
      </Field>
      <Field label="Last month">
        {(id) => (
          <input id={id} type="month" name="to" value={to} onChange={(e) => setTo(e.target.value)} placeholder="YYYY-MM" aria-describedby="month-help" />
        )}
      </Field>
      <div className="filter-actions">
        <button type="submit" className="primary">
          Show report
        </button>
      </div>
      <p id="month-help" className="help">
        Months as YYYY-MM, in UTC. Left empty, the report covers the 12 months up to this one.
      </p>
    </form>
  );
}

export function UsagePage({ org, homeOrg }: { org: string; homeOrg: string | null }) {
  const url = useUrl();
  const query: ReportQuery = { by: dimensionOf(url.searchParams.get('by')), from: url.searchParams.get('from') ?? '', to: url.searchParams.get('to') ?? '' };
  usePageTitle(`Usage report of ${org}`);
  const report = useApiData<UsageReport>(orgPath(org, 'analytics', 'usage'), { ...query, format: 'json' });
  const label = dimensions.find((d) => d.value === query.by)!.label;
  const columns: Array<Column<UsageBreakdown>> = [
    { header: label, value: (r) => r.key, rowHeader: true },
    { header: 'Users', value: (r) => r.users, numeric: true },
    { header: 'Deliveries', value: (r) => r.delivered, numeric: true },
    { header: 'Failures', value: (r) => r.failed, numeric: true },
    { header: 'First day', value: (r) => r.firstDay },
    { header: 'Last day', value: (r) => r.lastDay },
  ];
  const csvUrl = withQuery(orgPath(org, 'analytics', 'usage'), { ...query, format: 'csv' });

  return (
    <main id="content">
      <h1 tabIndex={-1}>Usage report of {org}</h1>
      <p className="lede">Users, deliveries and failures per key over whole months, largest first.</p>
      <ReportForm key={url.search} org={org} query={query} />
      {report.error ? <ErrorMessage error={report.error} homeOrg={homeOrg} /> : null}
      {report.loading ? <Loading what="the report" /> : null}
      {report.data ? (
        <section className="panel" aria-labelledby="report-heading">
          <div className="panel-header">
            <h2 id="report-heading">
              By {label.toLowerCase()}, {report.data.from} to {report.data.to}
            </h2>
            <div className="toolbar">
              {/* The hub writes this CSV itself; the session cookie goes along, as the link is on the same origin. */}
              <a className="button" href={csvUrl} download>
                Download CSV
              </a>
            </div>
          </div>
          <DataTable
            caption={`Usage by ${label.toLowerCase()}, ${report.data.from} to ${report.data.to}`}
            hideCaption
            columns={columns}
            rows={report.data.rows}
            rowKey={(r) => r.key}
            empty="No traffic in these months."
          />
        </section>
      ) : null}
    </main>
  );
}
