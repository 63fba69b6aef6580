// The tenants, people and bot registration that a test defines, with the lookups the routes use.
import { newAadObjectId, newUserId } from './ids.js';

export interface TeamsUserInput {
  /** Teams user id (`29:...`); generated when absent. */
  id?: string;
  /** Entra ID (Azure AD) object id; a random UUID when absent. */
  aadObjectId?: string;
  /** Display name. */
  name: string;
  givenName?: string;
  surname?: string;
  /** Default: the name in lower case with dots for spaces, at the tenant's domain. */
  email?: string;
  /** Default: the email. */
  userPrincipalName?: string;
  jobTitle?: string;
}

export interface TeamsTenantInput {
  /** Tenant id (a UUID in Teams); a random UUID when absent. */
  id?: string;
  name: string;
  /** Verified domain, such as `initech.example`. */
  domain: string;
  users?: TeamsUserInput[];
}

export interface TeamsBotInput {
  /** Microsoft App ID of the bot registration; a random UUID when absent. */
  appId?: string;
  /** Client secret of the app registration; random when absent. */
  password?: string;
  /** Display name of the bot; default "Parley". */
  name?: string;
  /** URL the simulator POSTs activities to; set later with setMessagingEndpoint when absent. */
  messagingEndpoint?: string;
  /**
   * Users (by id, aadObjectId, email or userPrincipalName) who have the bot installed in
   * personal scope when the simulator starts. Their 1:1 conversations exist, and no
   * conversationUpdate is sent for them.
   */
  installedFor?: string[];
  /**
   * Home tenant of a single-tenant app registration. Such a bot gets tokens only from
   * `/{tenantId}/oauth2/v2.0/token`; a multi-tenant bot (the default) also uses `botframework.com`.
   */
  homeTenantId?: string;
}

export interface TeamsTenant {
  id: string;
  name: string;
  domain: string;
}

export interface TeamsUser {
  id: string;
  aadObjectId: string;
  tenantId: string;
  name: string;
  givenName: string | undefined;
  surname: string | undefined;
  email: string;
  userPrincipalName: string;
  jobTitle: string | undefined;
}

export interface BotRegistration {
  appId: string;
  password: string;
  name: string;
  /** The bot's account id in conversations: `28:<appId>`. */
  id: string;
  messagingEndpoint: string | undefined;
  homeTenantId: string | undefined;
}

function defaultEmail(name: string, domain: string): string {
  const local = name.trim().toLowerCase().replace(/\s+/g, '.').replace(/[^a-z0-9._-]/g, '');
  return `${local || 'user'}@${domain}`;
}

export class Directory {
  readonly tenants = new Map<string, TeamsTenant>();
  readonly users = new Map<string, TeamsUser>();
  readonly bot: BotRegistration;

  constructor(tenants: TeamsTenantInput[], bot: BotRegistration) {
    this.bot = bot;
    for (const tenant of tenants) {
      this.addTenant(tenant);
    }
  }

  addTenant(input: TeamsTenantInput): TeamsTenant {
    const tenant: TeamsTenant = { id: input.id ?? newAadObjectId(), name: input.name, domain: input.domain };
    if (this.tenants.has(tenant.id)) {
      throw new Error(`Tenant ${tenant.id} is defined twice; give each tenant its own id.`);
    }
    this.tenants.set(tenant.id, tenant);
    for (const user of input.users ?? []) {
      this.addUser(tenant.id, user);
    }
    return tenant;
  }

  addUser(tenantId: string, input: TeamsUserInput): TeamsUser {
    const tenant = this.tenants.get(tenantId);
    if (tenant === undefined) {
      throw new Error(`Tenant ${tenantId} not found; define it before adding users to it.`);
    }
    const id = input.id ?? newUserId();
    if (!id.startsWith('29:')) {
      throw new Error(`Invalid user id ${id}: Teams user ids start with "29:".`);
    }
    if (this.users.has(id)) {
      throw new Error(`User ${id} is defined twice; give each user its own id.`);
    }

    const email = input.email ?? defaultEmail(input.name, tenant.domain);
    const user: TeamsUser = {
      id,
      aadObjectId: input.aadObjectId ?? newAadObjectId(),
      tenantId,
      name: input.name,
      givenName: input.givenName,
      surname: input.surname,
      email,
      userPrincipalName: input.userPrincipalName ?? email,
      jobTitle: input.jobTitle,
    };
    this.users.set(id, user);
    return user;
  }

  /** Finds a user by Teams id, aadObjectId, email or userPrincipalName (the last two ignore case). */
  findUser(reference: string): TeamsUser | undefined {
    const direct = this.users.get(reference);
    if (direct !== undefined) {
      return direct;
    }
    const lower = reference.toLowerCase();
    for (const user of this.users.values()) {
      if (user.aadObjectId === reference || user.email.toLowerCase() === lower || user.userPrincipalName.toLowerCase() === lower) {
        return user;
      }
    }
    return undefined;
  }

  requireUser(reference: string): TeamsUser {
    const user = this.findUser(reference);
    if (user === undefined) {
      throw new Error(`User ${reference} not found; define it in the simulator options or with addUser.`);
    }
    return user;
  }
}
