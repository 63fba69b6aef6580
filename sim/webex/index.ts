// Public surface of the Webex simulator. Nothing here imports from src/: the simulator stands
// for the real platform.
export { startWebexSimulator, WebexSimulator } from './server.js';
export type { ScanFilesOptions, SimAccount, SimContent, SimOrg, SimServiceApp, SimWebhook, WebexSimulatorOptions } from './server.js';
export { WebexActor } from './actor.js';
export type { ContentDownload } from './actor.js';
export { DEFAULT_MAX_FILE_BYTES } from './contents.js';
export { WebexRequestError } from './errors.js';
export type { NewPerson } from './directory.js';
export type { FaultSpec, RateLimit } from './traffic.js';
export type { DeliveryLogger, DeliveryRecord, WebhookRetryOptions } from './webhooks.js';
export { defaultWebhookRetry, sparkSignature } from './webhooks.js';
export { MAX_EDITS, MAX_MESSAGE_BYTES } from './messages.js';
export { GUEST_TOKEN_LIFETIME_SECONDS } from './routes-guests.js';
export type {
  CreateWebhookRequest,
  SendFileRequest,
  SendMessageRequest,
  WebexMembership,
  WebexMessage,
  WebexPerson,
  WebexRoom,
  WebexWebhook,
} from './api-types.js';
export type { PersonStatus, ScanState } from './state.js';
