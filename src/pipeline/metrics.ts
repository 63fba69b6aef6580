// What the pipeline reports for monitoring: counts and latencies by platform and kind, never
// an address or content. The server turns these into Prometheus metrics; tests and tools
// that need none use the no-op.

export interface PipelineMetrics {
  /** An inbound event was handled: `committed`, `duplicate` or `ignored`. */
  received(platform: string, kind: string, outcome: string): void;
  /** A delivery reached its platform through `connection`, `seconds` after it was queued. */
  delivered(platform: string, kind: string, seconds: number, connection: string): void;
  retried(platform: string, code: string, connection: string): void;
  deadLettered(platform: string, reason: string, connection: string): void;
  /** A policy denied an event of this kind. */
  denied(kind: string): void;
}

export const noMetrics: PipelineMetrics = {
  received() {},
  delivered() {},
  retried() {},
  deadLettered() {},
  denied() {},
};
