// CSV files made in the browser from the numbers a table shows.

export type Cell = string | number | boolean | null | undefined;

/**
 * Quotes a field (RFC 4180) and defuses spreadsheet formulas: text starting with =, +, -, @,
 * a tab or a carriage return gets a leading apostrophe. Numbers are written as they are.
 */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** Returns CSV text with a header line, lines ending in CRLF as RFC 4180 has them. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Starts a download of the text as a file. Nothing is sent to the hub. */
export function downloadCsv(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking the URL later, not at once, keeps it valid until the download has started.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
