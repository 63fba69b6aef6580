import { z } from 'zod';

/**
 * A secret in the config: a literal string, or a reference to an environment variable
 * (`{ env: NAME }`) so that the YAML file need not hold it. References are resolved at
 * start; a missing variable stops the start with the key and the variable's name.
 */
export const secret = z.union([
  z.string().min(1),
  z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as WEBEX_BOT_TOKEN') }).strict(),
]);

export type SecretRef = z.infer<typeof secret>;
