// The overview's charts, loaded on demand: they carry Apache ECharts, which the other pages
// do not need.

import { useMemo } from 'react';

import { ChartPanel, palette, type SeriesSpec } from '../charts';
import type { Column } from '../components';
import { invitationStatuses, type Overview, type UsagePoint } from '../types';

type Month = Overview['months'][number];

const usersColumns: Array<Column<UsagePoint>> = [
  { header: 'Month', value: (r) => r.period, rowHeader: true },
  { header: 'Unique users', value: (r) => r.users, numeric: true },
];

const deliveryColumns = (periodHeader: string): Array<Column<UsagePoint>> => [
  { header: periodHeader, value: (r) => r.period, rowHeader: true },
  { header: 'Deliveries', value: (r) => r.delivered, numeric: true },
  { header: 'Failures', value: (r) => r.failed, numeric: true },
];

const dayColumns: Array<Column<UsagePoint>> = [
  { header: 'Day', value: (r) => r.period, rowHeader: true },
  { header: 'Unique users', value: (r) => r.users, numeric: true },
  { header: 'Deliveries', value: (r) => r.delivered, numeric: true },
  { header: 'Failures', value: (r) => r.failed, numeric: true },
];

/** Colours for statuses beyond the five the overview always has, such as cancelled. */
const extraStatusColors = ['#6d28d9', '#a16207', '#be185d', '#0f766e'];

function statusLabel(status: string): string {
  return status[0]!.toUpperCase() + status.slice(1).replace(/_/g, ' ');
}

/**
 * Returns the statuses to show: sent and its four usual outcomes, then any other status that
 * invitations of these months have now. The overview counts every status, such as cancelled.
 */
function statusesOf(months: readonly Month[]): string[] {
  const extra = new Set<string>();
  for (const month of months) {
    for (const [status, count] of Object.entries(month.invitations)) {
      if (count > 0 && !(invitationStatuses as readonly string[]).includes(status)) extra.add(status);
    }
  }
  return [...invitationStatuses, ...[...extra].sort()];
}

function invitationColumns(statuses: readonly string[]): Array<Column<Month>> {
  return [
    { header: 'Month', value: (r) => r.period, rowHeader: true },
    ...statuses.map((status) => ({ header: statusLabel(status), value: (r: Month) => r.invitations[status] ?? 0, numeric: true })),
  ];
}

const contactColumns: Array<Column<Month>> = [
  { header: 'Month', value: (r) => r.period, rowHeader: true },
  { header: 'Active contacts', value: (r) => r.activeContacts, numeric: true },
];

export default function OverviewCharts({ org, overview, fileTag }: { org: string; overview: Overview; fileTag: string }) {
  const months = overview.months;
  const monthNames = useMemo(() => months.map((m) => m.period), [months]);
  const dayNames = useMemo(() => overview.days.map((d) => d.period), [overview.days]);
  const file = (name: string) => `parley-${org}${fileTag}-${name}.csv`;
  const statuses = useMemo(() => statusesOf(months), [months]);

  const series = useMemo(() => {
    const users: SeriesSpec[] = [{ name: 'Unique users', type: 'bar', data: months.map((m) => m.users), color: palette.users }];
    const deliveries: SeriesSpec[] = [
      { name: 'Deliveries', type: 'bar', data: months.map((m) => m.delivered), color: palette.delivered },
      { name: 'Failures', type: 'bar', data: months.map((m) => m.failed), color: palette.failed },
    ];
    const days: SeriesSpec[] = [
      { name: 'Unique users', type: 'line', data: overview.days.map((d) => d.users), color: palette.users },
      { name: 'Deliveries', type: 'line', data: overview.days.map((d) => d.delivered), color: palette.delivered },
      { name: 'Failures', type: 'line', data: overview.days.map((d) => d.failed), color: palette.failed },
    ];
    // Sent is the total over all statuses, so it is a line over the stacked bars of the statuses.
    const statusColor = (status: string, index: number) => (status in palette ? palette[status as keyof typeof palette] : extraStatusColors[index % extraStatusColors.length]!);
    const invitations: SeriesSpec[] = [
      ...statuses
        .filter((status) => status !== 'sent')
        .map(
          (status, index): SeriesSpec => ({
            name: statusLabel(status),
            type: 'bar',
            stack: 'invitations',
            data: months.map((m) => m.invitations[status] ?? 0),
            color: statusColor(status, index),
          }),
        ),
      { name: 'Sent', type: 'line', data: months.map((m) => m.invitations.sent ?? 0), color: palette.sent },
    ];
    const contacts: SeriesSpec[] = [{ name: 'Active contacts', type: 'bar', data: months.map((m) => m.activeContacts), color: palette.contacts }];
    return { users, deliveries, days, invitations, contacts };
  }, [months, overview.days, statuses]);

  return (
    <div className="chart-grid">
      <ChartPanel title="Unique users per month" fileName={file('users-by-month')} rows={months} columns={usersColumns} categories={monthNames} series={series.users} />
      <ChartPanel
        title="Deliveries and failures per month"
        fileName={file('deliveries-by-month')}
        rows={months}
        columns={deliveryColumns('Month')}
        categories={monthNames}
        series={series.deliveries}
      />
      <ChartPanel title="Last 30 days" fileName={file('last-30-days')} rows={overview.days} columns={dayColumns} categories={dayNames} series={series.days} />
      <ChartPanel
        title="Invitations per month"
        description="Invitations the organisation's users sent in each month, by their status now. Sent is the total of all statuses."
        fileName={file('invitations-by-month')}
        rows={months}
        columns={invitationColumns(statuses)}
        categories={monthNames}
        series={series.invitations}
      />
      <ChartPanel
        title="Active contacts per month"
        description="Contacts with one of the organisation's users that existed at some time in the month."
        fileName={file('active-contacts-by-month')}
        rows={months}
        columns={contactColumns}
        categories={monthNames}
        series={series.contacts}
      />
    </div>
  );
}
