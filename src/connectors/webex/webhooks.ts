// Keeps the hub's Webex webhooks registered and active: for each owner (the bot and each
// proxy guest) one per message event (created, updated, deleted), created at start and
// re-activated when Webex marks one inactive after repeated failed deliveries.

import type { Logger } from 'pino';

import type { WebexApi, WebexWebhook } from './api.js';

/** One set of webhooks: whose token, which resource and events, and which filter. */
export interface WebhookOwner {
  token: string;
  filter?: string;
  /** `messages` by default; `memberships` for the members of a shared space. */
  resource?: 'messages' | 'memberships';
  /** The resource's events to register; by default new messages, edits and deletions. */
  events?: readonly string[];
}

/** The message events the hub relays: new messages, edits and deletions. */
const messageEvents = ['created', 'updated', 'deleted'] as const;

function ownerKey(owner: WebhookOwner): string {
  return `${owner.token}\n${owner.resource ?? 'messages'}\n${owner.filter ?? ''}`;
}

export class WebhookKeeper {
  private readonly owners = new Map<string, WebhookOwner>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly api: WebexApi,
    private readonly targetUrl: string,
    private readonly secret: string,
    private readonly logger: Logger,
    private readonly report: (allActive: boolean) => void,
  ) {}

  async start(owners: WebhookOwner[], checkEveryMs: number): Promise<void> {
    for (const owner of owners) this.owners.set(ownerKey(owner), owner);
    await this.check();
    this.timer = setInterval(() => void this.check(), checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Registers a webhook for a new owner, once. */
  async ensure(owner: WebhookOwner): Promise<void> {
    if (this.owners.has(ownerKey(owner))) return;
    this.owners.set(ownerKey(owner), owner);
    await this.checkOne(owner);
  }

  /** Creates missing webhooks and re-activates inactive ones; reports whether all are active. */
  async check(): Promise<void> {
    let allActive = true;
    for (const owner of this.owners.values()) {
      try {
        allActive = (await this.checkOne(owner)) && allActive;
      } catch (error) {
        allActive = false;
        this.logger.warn({ err: error }, 'Checking a Webex webhook failed; will check again.');
      }
    }
    this.report(allActive);
  }

  private async checkOne(owner: WebhookOwner): Promise<boolean> {
    const registered = (await this.api.webhooks(owner.token)).items;
    const resource = owner.resource ?? 'messages';
    for (const event of owner.events ?? messageEvents) {
      const existing = registered.find(
        (w: WebexWebhook) => w.targetUrl === this.targetUrl && w.resource === resource && w.event === event && (w.filter ?? '') === (owner.filter ?? ''),
      );
      if (!existing) {
        await this.api.createWebhook(owner.token, {
          name: 'Parley',
          targetUrl: this.targetUrl,
          resource,
          event,
          ...(owner.filter ? { filter: owner.filter } : {}),
          secret: this.secret,
        });
        this.logger.info({ event }, 'Webex webhook registered.');
        continue;
      }
      if (existing.status !== 'active') {
        await this.api.updateWebhook(owner.token, existing.id, {
          name: existing.name,
          targetUrl: this.targetUrl,
          secret: this.secret,
          status: 'active',
        });
        this.logger.warn({ webhook: existing.id, event }, 'Webex webhook was inactive; re-activated it.');
      }
    }
    return true;
  }
}
