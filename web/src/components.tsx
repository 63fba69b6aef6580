// Building blocks shared by the pages: links, messages, tables with a CSV download.

import { useId, type ReactNode } from 'react';

import type { ApiError } from './api';
import { downloadCsv, toCsv, type Cell } from './csv';
import { followLink, orgRoute } from './router';

/** Renders a link inside the portal. `current` marks the link to the page being shown, and `label` names a link whose text is abridged. */
export function Link({ to, children, className, current, label }: { to: string; children: ReactNode; className?: string; current?: boolean; label?: string }) {
  return (
    <a href={to} onClick={followLink} className={className} aria-current={current ? 'page' : undefined} aria-label={label} title={label}>
      {children}
    </a>
  );
}

/** Renders the API's message for a failed call, and for a 404 a "Not found" heading with a link back. */
export function ErrorMessage({ error, homeOrg }: { error: ApiError; homeOrg?: string | null }) {
  if (error.status === 404) {
    return (
      <div className="notice notice-error" role="alert">
        <h2>Not found</h2>
        <p>{error.message}</p>
        {homeOrg ? (
          <p>
            <Link to={orgRoute(homeOrg, 'overview')}>Go to the overview of {homeOrg}</Link>
          </p>
        ) : null}
      </div>
    );
  }
  return (
    <p className="notice notice-error" role="alert">
      {error.message}
    </p>
  );
}

/** Renders a label and its control, tied by id so that the control's accessible name is the label's text alone. */
export function Field({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

export interface Column<T> {
  header: string;
  /** The value in the table's CSV download, and shown when there is no `render`. */
  value: (row: T) => Cell;
  render?: (row: T) => ReactNode;
  numeric?: boolean;
  /** The column that names the row, marked up as the row's header. */
  rowHeader?: boolean;
}

interface DataTableProps<T> {
  caption: string;
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  rowKey: (row: T, index: number) => string;
  /** The CSV download's file name; without it the table has no CSV button. */
  csvName?: string;
  empty?: string;
  /** Hides the caption visually, for a table under a heading with the same text. */
  hideCaption?: boolean;
}

export function DataTable<T>({ caption, columns, rows, rowKey, csvName, empty = 'No rows.', hideCaption }: DataTableProps<T>) {
  const captionId = useId();
  return (
    <div className="table-block">
      {csvName ? (
        <div className="toolbar">
          <CsvButton fileName={csvName} label={caption} columns={columns} rows={rows} />
        </div>
      ) : null}
      {/* A scrollable region needs focus so that keyboard users can scroll it. */}
      <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
        <table>
          <caption id={captionId} className={hideCaption ? 'visually-hidden' : undefined}>
            {caption}
          </caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.header} scope="col" className={column.numeric ? 'numeric' : undefined}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="empty">
                  {empty}
                </td>
              </tr>
            ) : (
              rows.map((row, index) => (
                <tr key={rowKey(row, index)}>
                  {columns.map((column) => {
                    const content = column.render ? column.render(row) : displayCell(column.value(row));
                    const className = column.numeric ? 'numeric' : undefined;
                    return column.rowHeader ? (
                      <th key={column.header} scope="row" className={className}>
                        {content}
                      </th>
                    ) : (
                      <td key={column.header} className={className}>
                        {content}
                      </td>
                    );
                  })}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function CsvButton<T>({ fileName, label, columns, rows }: { fileName: string; label: string; columns: ReadonlyArray<Column<T>>; rows: readonly T[] }) {
  const download = () =>
    downloadCsv(
      fileName,
      toCsv(
        columns.map((c) => c.header),
        rows.map((row) => columns.map((c) => c.value(row))),
      ),
    );
  return (
    <button type="button" onClick={download} aria-label={`Download ${label} as CSV`}>
      CSV
    </button>
  );
}

function displayCell(value: Cell): ReactNode {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return value ?? '';
}

/** Formats epoch milliseconds as a UTC date and time, the zone the hub's days and months use. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

export function formatNumber(value: number): string {
  return value.toLocaleString('en-US');
}
