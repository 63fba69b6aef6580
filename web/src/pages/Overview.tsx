// The analytics overview of one organisation (GET .../analytics/overview): charts of the
// period's months and the last 30 days, the invitation funnel, active contacts, and the split by
// platform and domain. The filters live in the URL query, so a filtered view can be shared.

import { lazy, Suspense, useState, type FormEvent } from 'react';

import { orgPath } from '../api';
import { DataTable, ErrorMessage, Field, formatNumber, Loading, type Column } from '../components';
import { useApiData, usePageTitle } from '../hooks';
import { navigate, orgRoute, useUrl } from '../router';
import { platforms, type Overview, type UsageBreakdown } from '../types';

const OverviewCharts = lazy(() => import('./OverviewCharts'));

const breakdownColumns = (keyHeader: string): Array<Column<UsageBreakdown>> => [
  { header: keyHeader, value: (r) => r.key, rowHeader: true },
  { header: 'Users', value: (r) => r.users, numeric: true },
  { header: 'Deliveries', value: (r) => r.delivered, numeric: true },
  { header: 'Failures', value: (r) => r.failed, numeric: true },
  { header: 'First day', value: (r) => r.firstDay },
  { header: 'Last day', value: (r) => r.lastDay },
];

interface Filter {
  partnerDomain: string;
  platform: string;
  /** Months of the period, as text from the URL; empty for the default 12. */
  months: string;
}

const periods = [
  { value: '', label: '12 months' },
  { value: '6', label: '6 months' },
  { value: '3', label: '3 months' },
  { value: '1', label: 'This month' },
];

function FilterForm({ org, filter, partnerDomains }: { org: string; filter: Filter; partnerDomains: string[] }) {
  const [partnerDomain, setPartnerDomain] = useState(filter.partnerDomain);
  const [platform, setPlatform] = useState(filter.platform);
  const [months, setMonths] = useState(filter.months);
  const options = [...new Set([...partnerDomains, ...(filter.partnerDomain ? [filter.partnerDomain] : [])])].sort();

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (partnerDomain) query.set('partnerDomain', partnerDomain);
    if (platform) query.set('platform', platform);
    if (months) query.set('months', months);
    const search = query.toString();
    navigate(orgRoute(org, 'overview') + (search ? `?${search}` : ''));
  };

  return (
    <form className="filters" onSubmit={apply} aria-label="Filters">
      <Field label="Partner domain">
        {(id) => (
          <select id={id} name="partnerDomain" value={partnerDomain} onChange={(e) => setPartnerDomain(e.target.value)}>
            <option value="">All partner domains</option>
            {options.map((domain) => (
              <option key={domain} value={domain}>
                {domain}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Period">
        {(id) => (
          <select id={id} name="months" value={months} onChange={(e) => setMonths(e.target.value)}>
            {periods.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Platform">
        {(id) => (
          <select id={id} name="platform" value={platform} onChange={(e) => setPlatform(e.target.value)}>
            <option value="">All platforms</option>
            {platforms.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="filter-actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        {filter.partnerDomain || filter.platform ? (
          <button type="button" onClick={() => navigate(orgRoute(org, 'overview'))}>
            Clear filters
          </button>
        ) : null}
      </div>
    </form>
  );
}

export function OverviewPage({ org, homeOrg }: { org: string; homeOrg: string | null }) {
  const url = useUrl();
  const filter: Filter = {
    partnerDomain: url.searchParams.get('partnerDomain') ?? '',
    platform: url.searchParams.get('platform') ?? '',
    months: url.searchParams.get('months') ?? '',
  };
  usePageTitle(`Overview of ${org}`);

  const overview = useApiData<Overview>(orgPath(org, 'analytics', 'overview'), { ...filter });
  // The overview lists every partner domain of the period, whatever the other filters, for the picker.
  const partnerDomains = overview.data?.partnerDomains ?? [];
  const fileTag = [filter.partnerDomain, filter.platform, filter.months && `${filter.months}m`].filter((v) => v !== '').map((v) => `-${v}`).join('');
  const data = overview.data;
  const periodWords = filter.months === '1' ? 'this month' : `the ${filter.months || '12'} months`;
  const filterWords = [filter.partnerDomain, filter.platform].filter(Boolean).join(' and ');

  return (
    <main id="content">
      <h1 tabIndex={-1}>Overview of {org}</h1>
      <p className="lede">The months of the period (12 unless you pick fewer) by month and the last 30 days by day, in UTC. Counts come from the metadata log, never from message content.</p>
      <FilterForm key={url.search} org={org} filter={filter} partnerDomains={partnerDomains} />
      {overview.error ? <ErrorMessage error={overview.error} homeOrg={homeOrg} /> : null}
      {overview.loading ? <Loading what="the overview" /> : null}
      {data ? (
        <>
          <section aria-label={`Totals over ${periodWords}`} className="totals">
            <dl>
              <div>
                <dt>Unique users</dt>
                <dd data-total="users">{formatNumber(data.totals.users)}</dd>
              </div>
              <div>
                <dt>Deliveries</dt>
                <dd data-total="delivered">{formatNumber(data.totals.delivered)}</dd>
              </div>
              <div>
                <dt>Failures</dt>
                <dd data-total="failed">{formatNumber(data.totals.failed)}</dd>
              </div>
            </dl>
            <p className="help">Over {periodWords}{filterWords ? `, filtered by ${filterWords}` : ''}. Generated at {data.generatedAt.replace('T', ' ').slice(0, 19)} UTC.</p>
          </section>
          <Suspense fallback={<Loading what="the charts" />}>
            <OverviewCharts org={org} overview={data} fileTag={fileTag} />
          </Suspense>
          <section className="panel" aria-labelledby="by-platform">
            <h2 id="by-platform">By platform</h2>
            <DataTable
              caption="Usage by platform"
              hideCaption
              columns={breakdownColumns('Platform')}
              rows={data.byPlatform}
              rowKey={(r) => r.key}
              csvName={`parley-${org}${fileTag}-by-platform.csv`}
              empty={`No traffic in ${periodWords}.`}
            />
          </section>
          <section className="panel" aria-labelledby="by-partner">
            <h2 id="by-partner">By partner domain</h2>
            <p className="help">The 200 partner domains with the most deliveries.</p>
            <DataTable
              caption="Usage by partner domain"
              hideCaption
              columns={breakdownColumns('Partner domain')}
              rows={data.byPartnerDomain}
              rowKey={(r) => r.key}
              csvName={`parley-${org}${fileTag}-by-partner-domain.csv`}
              empty={`No traffic in ${periodWords}.`}
            />
          </section>
          <section className="panel" aria-labelledby="by-local">
            <h2 id="by-local">By local domain</h2>
            <DataTable
              caption="Usage by local domain"
              hideCaption
              columns={breakdownColumns('Local domain')}
              rows={data.byLocalDomain}
              rowKey={(r) => r.key}
              csvName={`parley-${org}${fileTag}-by-local-domain.csv`}
              empty={`No traffic in ${periodWords}.`}
            />
          </section>
        </>
      ) : null}
    </main>
  );
}
