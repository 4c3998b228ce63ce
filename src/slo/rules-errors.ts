/** Coded errors of the Prometheus rule generator (docs/errors.md, section SLOs). */
import { createError } from '../errors.js';

/** Two SLOs given to one rule file share a `sloth_id` (`<service>-<name>`), so their rules would collide. */
export const DuplicateSloId = createError(
  'SL_ERR_SLO_RULES_DUPLICATE_ID',
  (id: string, first: number, second: number) =>
    `SLOs [${first}] and [${second}] both have sloth_id ${JSON.stringify(id)} (<service>-<name>): their Prometheus rules would be duplicates; rename one`,
);
