// Analytics benchmark: the portal's overview on a database with millions of metadata records
// (12 months, several organisations, dozens of partner domains), beside a plain count over
// the same table in the same run. Run it with `npm run bench:analytics -- [--records N]`;
// the default is 10 million records on SQLite, which takes a few minutes to generate.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { generateTraffic } from '../src/analytics/generate.js';
import { AnalyticsService } from '../src/analytics/overview.js';
import { asId, type OrgId } from '../src/core/ids.js';
import { Store } from '../src/store/store.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '10000000' }, runs: { type: 'string', default: '5' } } });
const records = Number(values.records);
const runs = Number(values.runs);
if (!Number.isInteger(records) || records < 1000) throw new Error(`--records ${values.records}: give a whole number of at least 1000.`);

const orgs = [
  { id: 'acme', domains: ['acme.example', 'acme-labs.example'], platform: 'webex' as const },
  { id: 'globex', domains: ['globex.example'], platform: 'slack' as const },
  { id: 'initech', domains: ['initech.example'], platform: 'xmpp' as const },
  { id: 'umbrella', domains: ['umbrella.example'], platform: 'slack' as const },
];

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-analytics-'));
const store = await Store.open({ kind: 'sqlite', path: path.join(dir, 'parley.db') });
try {
  await store.migrate();
  for (const org of orgs) await store.ensureOrg(asId<OrgId>(org.id), org.id, 1);
  console.log(`Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`);

  const generation = await timed(() => generateTraffic(store, { records, months: 12, orgs, partnerDomains: 40, usersPerDomain: 200, batch: 2000 }));
  console.log(`generated ${generation.value} metadata records in ${(generation.ms / 1000).toFixed(1)} s`);

  const analytics = new AnalyticsService(store);
  const rollup = await timed(() => analytics.catchUp());
  console.log(`rolled up in ${(rollup.ms / 1000).toFixed(1)} s into ${await store.analytics.countRollupRows()} rollup rows`);

  const counts: number[] = [];
  const overviews: number[] = [];
  const filtered: number[] = [];
  for (let i = 0; i < runs; i++) {
    counts.push((await timed(() => store.analytics.countMetadata())).ms);
    overviews.push((await timed(() => analytics.overview(asId<OrgId>('acme')))).ms);
    filtered.push((await timed(() => analytics.overview(asId<OrgId>('acme'), { partnerDomain: 'globex.example' }))).ms);
  }
  const count = median(counts);
  console.log('');
  console.log('query                                 median ms   / plain count');
  console.log(`plain count(*) over metadata_log     ${count.toFixed(1).padStart(9)}   1.00`);
  console.log(`overview (12 months, 30 days)        ${median(overviews).toFixed(1).padStart(9)}   ${(median(overviews) / count).toFixed(2)}`);
  console.log(`overview for one partner domain      ${median(filtered).toFixed(1).padStart(9)}   ${(median(filtered) / count).toFixed(2)}`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
