// Prometheus metrics at /metrics: events in and deliveries out per platform, delivery latency,
// the outbox queue, retries, dead letters and policy denials, plus the process's own. Labels
// are platforms, kinds and reason codes; no address, session or content is ever a label.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { HealthTracker } from '../pipeline/health.js';
import type { PipelineMetrics } from '../pipeline/metrics.js';
import type { Store } from '../store/store.js';

export interface HubMetrics extends PipelineMetrics {
  registry: Registry;
}

export function createMetrics(
  store: Store,
  connectorStates: () => Array<{ id: string; platform: string; status: string }>,
  health: HealthTracker,
): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parley_' });

  const received = new Counter({
    name: 'parley_events_received_total',
    help: 'Inbound events from platforms, by platform, event kind and outcome (committed, duplicate, ignored).',
    labelNames: ['platform', 'kind', 'outcome'],
    registers: [registry],
  });
  const delivered = new Counter({
    name: 'parley_deliveries_total',
    help: 'Deliveries that reached their platform, by platform and event kind.',
    labelNames: ['platform', 'kind'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'parley_delivery_latency_seconds',
    help: 'Time from an event being queued to its delivery, by platform.',
    labelNames: ['platform'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'parley_delivery_retries_total',
    help: 'Delivery attempts that failed and were scheduled again, by platform and error code.',
    labelNames: ['platform', 'code'],
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: 'parley_dead_letters_total',
    help: 'Deliveries that failed for good, by platform and reason.',
    labelNames: ['platform', 'reason'],
    registers: [registry],
  });
  const denials = new Counter({
    name: 'parley_policy_denials_total',
    help: 'Events a federation policy denied, by event kind.',
    labelNames: ['kind'],
    registers: [registry],
  });
  new Gauge({
    name: 'parley_outbox_depth',
    help: 'Deliveries waiting in the outbox, due now or later.',
    registers: [registry],
    async collect() {
      this.set(await store.outboxDepth());
    },
  });
  new Gauge({
    name: 'parley_connection_up',
    help: 'Platform connections that are connected (1) or not (0).',
    labelNames: ['connection', 'platform'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of connectorStates()) this.set({ connection: c.id, platform: c.platform }, c.status === 'connected' ? 1 : 0);
    },
  });

  return {
    registry,
    received: (platform, kind, outcome) => received.inc({ platform, kind, outcome }),
    delivered: (platform, kind, seconds, connection) => {
      delivered.inc({ platform, kind });
      latency.observe({ platform }, seconds);
      health.succeeded(connection);
    },
    // Labels take the code's class (`platform_rejected`), so platform codes cannot multiply series.
    retried: (platform, code, connection) => {
      retries.inc({ platform, code: code.split(':')[0]! });
      health.failed(connection, code);
    },
    deadLettered: (platform, reason, connection) => {
      deadLetters.inc({ platform, reason: reason.split(':')[0]! });
      health.failed(connection, reason);
    },
    denied: (kind) => denials.inc({ kind }),
  };
}
