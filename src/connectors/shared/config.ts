import { z } from 'zod';

/** A lowercase DNS domain; `example` appears in the error message. */
export function dnsDomain(example: string) {
  return z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, `a lowercase DNS domain such as ${example}`);
}
