// Public surface of the Microsoft Teams (Bot Framework) simulator. Nothing here imports from
// src/: the simulator stands for the real platform.
export { startTeamsSimulator, TeamsSimulator } from './simulator.js';
export type { SignTokenOptions, SimBot, SimulatorStats, TeamsSimulatorOptions } from './simulator.js';
export type { TeamsBotInput, TeamsTenant, TeamsTenantInput, TeamsUser, TeamsUserInput } from './directory.js';
export { generateKeyMaterial, ENDORSEMENTS } from './keys.js';
export type { PublishedKey, SigningKeyChoice, TeamsKeyMaterial, TokenAlgorithm } from './keys.js';
export type { Delivery, DeliveryAttempt, DeliveryFailure, DeliveryLogger, DeliveryOutcome } from './delivery.js';
export { BOT_FRAMEWORK_ISSUER } from './delivery.js';
export type { InboundActivity } from './inbound.js';
export type { ConnectorOperation, FaultOptions } from './faults.js';
export type { RateWindow } from './ratelimit.js';
export { TEAMS_RATE_WINDOWS } from './ratelimit.js';
export { CONNECTOR_AUDIENCE, CONNECTOR_SCOPE } from './tokens.js';
export { ADAPTIVE_CARD, FILE_CONSENT_CARD, FILE_DOWNLOAD_INFO, FILE_INFO_CARD } from './bot-activities.js';
export type { FileUploadInfo, InvokeResult, SendMessageOptions, SentFile, SharedFileInput } from './user-actions.js';
export type { ChatMessage, TeamsChannelAccount } from './views.js';
export type { ActivityVersion, TextFormat, UploadedFile } from './state.js';
export type { Attachment, Entity } from './schemas.js';
