/** Platforms the hub has connectors for. */
export const platforms = ['webex', 'slack', 'xmpp', 'teams'] as const;

export type Platform = (typeof platforms)[number];

export const platformNames: Record<Platform, string> = {
  webex: 'Webex',
  slack: 'Slack',
  xmpp: 'XMPP',
  teams: 'Microsoft Teams',
};
