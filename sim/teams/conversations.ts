// POST /v3/conversations: a bot opens (or finds) the personal chat with one user who has the
// bot installed, as Teams allows for proactive messages.
import { postActivity } from './bot-activities.js';
import type { SimContext } from './context.js';
import { ConnectorError, badArgument, botNotInRoster } from './errors.js';
import { conversationParametersSchema, describeIssues } from './schemas.js';

export interface ConversationResourceResponse {
  id: string;
  /** Id of the first activity, when the request carried one. */
  activityId?: string;
}

function tenantIdOf(channelData: unknown, tenantId: string | undefined): string | undefined {
  if (typeof channelData === 'object' && channelData !== null && 'tenant' in channelData) {
    const tenant = (channelData as { tenant?: { id?: unknown } }).tenant;
    if (typeof tenant?.id === 'string' && tenant.id !== '') {
      return tenant.id;
    }
  }
  return tenantId;
}

export function createConversation(context: SimContext, body: unknown): ConversationResourceResponse {
  const parsed = conversationParametersSchema.safeParse(body ?? {});
  if (!parsed.success) {
    throw badArgument(`Invalid conversation parameters: ${describeIssues(parsed.error)}.`);
  }
  const parameters = parsed.data;
  const bot = context.directory.bot;

  if (parameters.bot.id !== bot.id) {
    throw badArgument(`bot.id ${parameters.bot.id} is not the calling bot; use ${bot.id}.`);
  }
  if (parameters.isGroup === true) {
    throw badArgument('A bot cannot create a group chat; set isGroup to false and name one member.');
  }
  const members = parameters.members ?? [];
  const member = members[0];
  if (members.length !== 1 || member === undefined) {
    throw badArgument(`A personal conversation needs exactly one member; the request has ${members.length}.`);
  }
  const tenantId = tenantIdOf(parameters.channelData, parameters.tenantId);
  if (tenantId === undefined) {
    throw badArgument('The tenant id is missing; set channelData.tenant.id.');
  }
  if (!context.directory.tenants.has(tenantId)) {
    throw new ConnectorError(403, 'Forbidden', `Tenant ${tenantId} does not have this bot; check the tenant id of the user.`);
  }

  // Teams takes the user's 29: id or Entra object id here.
  const user = context.directory.findUser(member.id);
  if (user === undefined || user.tenantId !== tenantId || (member.id !== user.id && member.id !== user.aadObjectId)) {
    throw badArgument(`Member ${member.id} was not found in tenant ${tenantId}.`);
  }
  const conversation = context.state.conversationOfUser(user.id);
  if (conversation === undefined || !conversation.botInstalled) {
    throw botNotInRoster();
  }

  if (parameters.activity === undefined) {
    return { id: conversation.id };
  }
  const { id: activityId } = postActivity(context, conversation, parameters.activity);
  return { id: conversation.id, activityId };
}
