// What a deploy's host outcomes mean for the store and for the exit status; shared by the CLI and the Action.
import { ExitCode } from '../errors.js';
import type { HostResult } from '../store/types.js';
import type { Rollout } from '../plan/rollout.js';
import type { HostOutcome } from './deploy.js';
import type { UnitState } from './protocol.js';

/** The store's per-host results; refused and unchanged hosts changed nothing and count as failed. */
export function resultsOf(outcomes: readonly HostOutcome[]): HostResult[] {
  return outcomes.map((o) => ({
    host: o.host,
    status: o.status === 'deployed' || o.status === 'rolled-back' || o.status === 'skipped' ? o.status : 'failed',
    detail: o.problems.join('; ') || undefined,
  }));
}

/** Per host, for scripts (`deploy --json`, the Action's `result-json`): its outcome, its stage, its units as the activation left them and, after a rollback, as the rollback left them. */
export function outcomesJson(outcomes: readonly HostOutcome[], rollout: Rollout | undefined): Record<string, unknown>[] {
  const stageOf = new Map<string, number>();
  for (const [index, stage] of (rollout?.stages ?? []).entries()) for (const host of stage.hosts) stageOf.set(host, index + 1);
  const unitJson = (unit: UnitState) => ({ unit: unit.unit, active_state: unit.activeState, sub_state: unit.subState, result: unit.result, healthy: unit.healthy });
  return outcomes.map((o) => ({
    host: o.host,
    status: o.status,
    stage: stageOf.get(o.host) ?? null,
    problems: [...o.problems],
    units: o.activation?.units.map(unitJson) ?? [],
    rollback_units: o.activation?.rollbackUnits.map(unitJson) ?? [],
    checks: o.activation?.checks.map((c) => ({ app: c.app, kind: c.kind, target: c.target, ok: c.ok, summary: c.summary, excerpt: c.excerpt })) ?? [],
  }));
}

/** Failure beats rollback: a failed host may be half-known, a rolled-back one is back where it was. */
export function exitCodeOf(outcomes: readonly HostOutcome[]): ExitCode {
  if (outcomes.some((o) => o.status === 'failed' || o.status === 'refused')) return ExitCode.failed;
  if (outcomes.some((o) => o.status === 'rolled-back')) return ExitCode.rolledBack;
  return ExitCode.ok;
}

/** Nothing happened on any host: every one refused before a change, was never started, had nothing to do, or failed before it changed. */
export function nothingChanged(outcomes: readonly HostOutcome[]): boolean {
  return outcomes.every((o) => o.status === 'refused' || o.status === 'unchanged' || o.status === 'skipped' || o.unchanged === true);
}
