// Public surface of the Slack simulator.

export { startSlackSimulator, SlackSimulator } from './simulator.js';
export type { AppRef, ChannelFile, NewChannel, SlackSimulatorOptions, UserRef, WorkspaceRef } from './simulator.js';
export type { Delivery, DeliveryAttempt, DeliveryOutcome, RetryReason } from './events.js';
export type { EventEnvelope } from './envelopes.js';
export type { FaultSpec } from './faults.js';
export type { EphemeralMessage, MessageMetadata, SimFile, SimMessage } from './model.js';
export type { NewApp, NewUser } from './state.js';
export type { PostOptions, SharedFile } from './user-actions.js';
export { signSlackRequest, verifySlackSignature } from './signing.js';
export { METHOD_SPECS } from './scopes.js';
export type { MethodSpec, RateTier } from './scopes.js';
