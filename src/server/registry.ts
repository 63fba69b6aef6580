// One line per platform: how a configured connection becomes a connector.

import type { Connector } from '../core/connector.js';
import type { ConnectionId } from '../core/ids.js';
import { SlackConnector } from '../connectors/slack/connector.js';
import { TeamsConnector } from '../connectors/teams/connector.js';
import { WebexConnector } from '../connectors/webex/connector.js';
import { XmppConnector } from '../connectors/xmpp/connector.js';
import type { ResolvedConfig } from './config.js';

type ResolvedConnection = ResolvedConfig['connections'][number];

export function createConnector(connection: ResolvedConnection): Connector {
  switch (connection.platform) {
    case 'webex':
      return new WebexConnector(connection.id as ConnectionId, connection.webex);
    case 'slack':
      return new SlackConnector(connection.id as ConnectionId, connection.slack);
    case 'xmpp':
      return new XmppConnector(connection.id as ConnectionId, connection.xmpp);
    case 'teams':
      return new TeamsConnector(connection.id as ConnectionId, connection.teams);
  }
}
