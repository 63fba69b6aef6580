// Keeps the hub's Webex webhooks registered and active: one per owner (the bot and each
// proxy guest), created at start, re-activated when Webex marks one inactive after
// repeated failed deliveries.

import type { Logger } from 'pino';

import type { WebexApi, WebexWebhook } from './api.js';

export interface WebhookOwner {
  token: string;
  filter?: string;
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
    for (const owner of owners) this.owners.set(owner.token, owner);
    await this.check();
    this.timer = setInterval(() => void this.check(), checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Registers a webhook for a new owner, once. */
  async ensure(owner: WebhookOwner): Promise<void> {
    if (this.owners.has(owner.token)) return;
    this.owners.set(owner.token, owner);
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
    const existing = (await this.api.webhooks(owner.token)).items.find(
      (w: WebexWebhook) => w.targetUrl === this.targetUrl && w.resource === 'messages' && w.event === 'created',
    );

    if (!existing) {
      await this.api.createWebhook(owner.token, {
        name: 'Parley',
        targetUrl: this.targetUrl,
        resource: 'messages',
        event: 'created',
        ...(owner.filter ? { filter: owner.filter } : {}),
        secret: this.secret,
      });
      this.logger.info('Webex webhook registered.');
      return true;
    }

    if (existing.status !== 'active') {
      await this.api.updateWebhook(owner.token, existing.id, {
        name: existing.name,
        targetUrl: this.targetUrl,
        secret: this.secret,
        status: 'active',
      });
      this.logger.warn({ webhook: existing.id }, 'Webex webhook was inactive; re-activated it.');
    }
    return true;
  }
}
