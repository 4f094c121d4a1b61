// Procore ids: seed and path ids (JSON numbers or decimal strings) as safe integers, answered as JSON numbers.

/** A Procore id. Procore's ids exceed 2^32 but stay below 2^53, so a JS number holds them exactly. */
export type ProcoreId = number;

const DECIMAL_ID = /^[1-9][0-9]{0,15}$/;

/** The id, or undefined when the value is not a positive safe integer (a string past 2^53 would round). */
export function parseProcoreId(value: unknown): ProcoreId | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value === 'string' && DECIMAL_ID.test(value)) {
    const id = Number(value);
    return Number.isSafeInteger(id) ? id : undefined;
  }
  return undefined;
}
