// The rollout policy as deptool.json (and the CLI's and the Action's overrides) state it:
// how many hosts go first, in which batches, and how many may fail before the rest stop.
import { getNodeValue, type Node } from 'jsonc-parser';
import { member, parsePercent, type JsonSchema } from '../json-source.js';

/** A number of hosts, or a share of the hosts being deployed. */
export type Amount = { readonly count: number } | { readonly percent: number };

export interface RolloutPolicy {
  /** Hosts that go first, alone; none when null. */
  readonly canary: Amount | null;
  /** Hosts per batch after the canary; every host at once when null. */
  readonly batch: Amount | null;
  /** Failed or rolled-back hosts the rollout tolerates; more stop it. Unset: 0 with a canary or batches, else no limit. */
  readonly maxFailed: Amount | null;
  /** Seconds to wait between stages. */
  readonly pause: number;
}

/** Every host at once, no failure budget: what a deploy does without a policy. */
export const NO_ROLLOUT: RolloutPolicy = { canary: null, batch: null, maxFailed: null, pause: 0 };

export const ROLLOUT_SCHEMA: JsonSchema = {
  type: 'object',
  fields: {
    canary: { type: 'amount', min: 0 },
    batch: { type: 'amount', min: 1 },
    max_failed: { type: 'amount', min: 0 },
    pause: { type: 'number', min: 0, max: 86_400 },
  },
};

/** `3` or `"25%"` as an Amount; null for anything else (validation reports it). */
export function amount(value: unknown): Amount | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { count: value };
  if (typeof value === 'string') {
    const percent = parsePercent(value);
    if (percent !== null) return { percent };
    if (/^\d+$/.test(value)) return { count: Number(value) };
  }
  return null;
}

/** The policy of a validated `rollout` node of deptool.json. */
export function rolloutPolicy(node: Node | undefined): RolloutPolicy {
  if (node?.type !== 'object') return NO_ROLLOUT;
  const value = (key: string): unknown => {
    const found = member(node, key);
    return found === undefined ? undefined : (getNodeValue(found) as unknown);
  };
  const pause = value('pause');
  return { canary: amount(value('canary')), batch: amount(value('batch')), maxFailed: amount(value('max_failed')), pause: typeof pause === 'number' && pause >= 0 ? pause : 0 };
}

/** The written form of an amount: `3` or `25%`. */
export function amountText(value: Amount): string {
  return 'count' in value ? String(value.count) : `${value.percent}%`;
}
