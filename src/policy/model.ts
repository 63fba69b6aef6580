// The federation policy of one organisation: which external domains its users may reach,
// which of its users may federate, and which features cross, set at four levels. The most
// specific level that sets a value decides: user, then group, then external domain, then
// the organisation's defaults. This module knows no platform.

import { z } from 'zod';

export const features = ['messages', 'files', 'presence', 'typing', 'reactions', 'rich_text', 'channel_invites'] as const;
export type Feature = (typeof features)[number];

const featureSwitches = z
  .object(Object.fromEntries(features.map((f) => [f, z.boolean().optional()])) as Record<Feature, z.ZodOptional<z.ZodBoolean>>)
  .strict();

/** A media type (`application/pdf`), a media type family (`image/*`) or an extension (`.pdf`). */
const fileTypePattern = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(\.[a-z0-9][a-z0-9_+-]{0,19}|[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126}))$/, 'a media type such as image/png or image/*, or an extension such as .pdf');

/** Settings any level may set; what a level leaves out falls through to the next. */
export const ruleSchema = z
  .object({
    federate: z.boolean().optional().describe('Whether users at this level may federate at all.'),
    features: featureSwitches.optional().describe('Features switched on (true) or off (false).'),
    maxFileBytes: z.number().int().min(0).optional().describe('Largest file that may cross, in bytes.'),
    fileTypes: z
      .object({
        allow: z.array(fileTypePattern).max(200).optional().describe('Only files that match one of these may cross.'),
        block: z.array(fileTypePattern).max(200).optional().describe('Files that match one of these may not cross.'),
      })
      .strict()
      .optional()
      .describe('File types by media type (image/png, image/*) or extension (.pdf).'),
  })
  .strict();

export type Rules = z.infer<typeof ruleSchema>;

const maxEntries = 10_000;
const domainPattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const emailPattern = /^[a-z0-9._%+'-]+@[a-z0-9.-]+\.[a-z]{2,}$/;

/** A record whose keys must match `pattern`, with at most `maxEntries` of them. */
function keyedBy<T extends z.ZodType>(pattern: RegExp, example: string, value: T) {
  return z.record(z.string(), value).superRefine((record, context) => {
    const keys = Object.keys(record);
    if (keys.length > maxEntries) context.addIssue({ code: 'custom', message: `at most ${maxEntries} entries` });
    for (const key of keys) {
      if (!pattern.test(key)) context.addIssue({ code: 'custom', path: [key], message: `"${key.slice(0, 100)}" is not ${example}` });
    }
  });
}

export const orgPolicySchema = z
  .object({
    mode: z
      .enum(['open', 'allow_list', 'block_list'])
      .default('open')
      .describe('open: every external domain; allow_list: only domains listed with allow: true; block_list: all but domains listed with allow: false.'),
    approval: z
      .boolean()
      .default(false)
      .describe('When true, the first invitation with an external domain not listed under domains waits for an admin to approve the domain.'),
    defaultDeny: z
      .boolean()
      .default(false)
      .describe('When true, a feature no level switches on is off; when false, it is on.'),
    defaults: ruleSchema.default({}).describe('Organisation-wide settings.'),
    domains: keyedBy(domainPattern, 'a lowercase domain such as globex.example', ruleSchema.extend({ allow: z.boolean().optional() }).strict())
      .default({})
      .describe('Per external domain: allow (for the allow and block lists) and settings.'),
    groups: z
      .record(
        z.string().min(1).max(100),
        z.object({ members: z.array(z.string().trim().toLowerCase().regex(emailPattern, 'a lowercase email address such as alice@acme.example')).max(maxEntries).default([]), rules: ruleSchema.default({}) }).strict(),
      )
      .default({})
      .describe('Named groups of local users (by email) and their settings.'),
    users: keyedBy(emailPattern, 'a lowercase email address such as alice@acme.example', ruleSchema)
      .default({})
      .describe('Per local user (by email) settings.'),
    invitations: z
      .object({
        expiryDays: z.number().positive().max(365).optional().describe("Days an invitation stays open; the shorter of both organisations' values applies."),
        perUserPerDay: z.number().int().min(1).max(10_000).optional().describe('Invitations one of its users may send in 24 hours.'),
      })
      .strict()
      .default({})
      .describe("The organisation's invitation limits; the hub's invitations settings apply where it sets none."),
  })
  .strict();

export type OrgPolicy = z.infer<typeof orgPolicySchema>;

/** An open policy: every domain, every user, every feature. */
export const openPolicy: OrgPolicy = orgPolicySchema.parse({});
