// The stages of a deploy: canary hosts first, alone, then batches in order, with the number
// of failures the rollout tolerates. A pure function of the plan's hosts and the policy.
import { NO_ROLLOUT, type Amount, type RolloutPolicy } from '../tree/rollout.js';

export interface Stage {
  readonly kind: 'canary' | 'batch';
  /** Sorted by name, as the plan's hosts. */
  readonly hosts: readonly string[];
}

export interface Rollout {
  /** As deptool.json (or an override) states it; the plan digest covers it. */
  readonly policy: RolloutPolicy;
  readonly stages: readonly Stage[];
  /** Failed or rolled-back hosts tolerated; more stop the rollout. Null: no limit (no canary, no batches, no max_failed). */
  readonly maxFailed: number | null;
  /**
   * `all`: every host is locked and checked before the first one changes. `per-stage`: the
   * fleet is larger than the driver holds connections to at once, so each stage's hosts are
   * locked and checked, all or nothing, before that stage changes.
   */
  readonly locking: 'all' | 'per-stage';
}

/** Hosts the driver locks at once (one SSH connection each). */
export const HOSTS_LOCKED_AT_ONCE = 500;

function hostsOf(amount: Amount, total: number, round: 'up' | 'down'): number {
  if ('count' in amount) return Math.min(amount.count, total);
  const exact = (total * amount.percent) / 100;
  return round === 'up' ? Math.min(total, Math.max(1, Math.ceil(exact))) : Math.floor(exact);
}

function isDefault(policy: RolloutPolicy): boolean {
  return policy.canary === null && policy.batch === null && policy.maxFailed === null && policy.pause === 0;
}

/**
 * The stages of deploying `hosts` (in plan order) under `policy`; null when there is nothing
 * to say: every host at once, no failure budget, all locked together.
 */
export function planRollout(hosts: readonly string[], policy: RolloutPolicy = NO_ROLLOUT, lockedAtOnce = HOSTS_LOCKED_AT_ONCE): Rollout | null {
  const locking = hosts.length > lockedAtOnce ? 'per-stage' : 'all';
  if (isDefault(policy) && locking === 'all') return null;
  const canary = policy.canary === null ? 0 : hostsOf(policy.canary, hosts.length, 'up');
  const stages: Stage[] = [];
  if (canary > 0) stages.push({ kind: 'canary', hosts: hosts.slice(0, canary) });
  const rest = hosts.slice(canary);
  let size = policy.batch === null ? rest.length : hostsOf(policy.batch, hosts.length, 'up');
  if (locking === 'per-stage') size = Math.min(size, lockedAtOnce);
  for (let at = 0; at < rest.length; at += Math.max(1, size)) stages.push({ kind: 'batch', hosts: rest.slice(at, at + Math.max(1, size)) });
  // A canary or batches without a budget would deploy a bad change everywhere anyway: they stop at
  // the first failure unless told otherwise.
  const staged = policy.canary !== null || policy.batch !== null;
  const maxFailed = policy.maxFailed === null ? (staged ? 0 : null) : hostsOf(policy.maxFailed, hosts.length, 'down');
  return { policy, stages, maxFailed, locking };
}
