// What the Action shows after a deploy or rollback: the outcome line for the PR comment,
// the job summary's per-host table, failed units' systemd status and failed health checks'
// last results, and the annotations pointing at the failed units' and checks' files. Pure
// functions over the outcomes.
import { markdownTable } from 'markdown-table';
import type { StoppedRollout } from '../deploy/apply.js';
import type { HostOutcome } from '../deploy/deploy.js';
import type { Rollout } from '../plan/rollout.js';
import type { UnitState } from '../deploy/protocol.js';
import { codeSpan, details, escapeHtml, fence } from '../render/markdown.js';
import type { ClusterSnapshot } from '../tree/types.js';

/** Annotations per step before the rest go to the summary (GitHub shows at most 10 errors per step). */
export const MAX_ANNOTATIONS = 10;
/** A status longer than this is cut: the summary's 1 MiB must also hold the plan. */
const STATUS_LIMIT = 16_000;

export interface FailedUnit {
  readonly host: string;
  readonly unit: string;
  /** `<cluster dir>/<host>/<app>/systemd/<unit>` relative to the workspace, when the unit comes from the config tree. */
  readonly file: string | null;
  readonly state: string;
  /** `systemctl status` as the activation captured it; empty when it did not. */
  readonly status: string;
  /** The host's outcome: rolled back, or failed (its rollback did not finish). */
  readonly outcome: HostOutcome['status'];
}

/** A health check that failed, as the host's log kept its last result. */
export interface FailedCheck {
  readonly host: string;
  readonly app: string;
  readonly target: string;
  /** `<cluster dir>/<host>/<app>/manifest.json`, where the check is written. */
  readonly file: string;
  readonly summary: string;
  readonly excerpt: string;
  readonly outcome: HostOutcome['status'];
}

export interface Annotation {
  readonly message: string;
  readonly title: string;
  readonly file?: string;
}

const STATUS_WORD: Record<HostOutcome['status'], string> = {
  deployed: '✅ deployed',
  'rolled-back': '↩️ rolled back',
  failed: '❌ failed',
  refused: '⛔ refused',
  skipped: '⏭️ not started',
  unchanged: 'unchanged',
};

/** The agent's verdict, the one rule for what a failed unit is. */
function failing(unit: UnitState): boolean {
  return unit.healthy === false;
}

/** The app of `host` whose `systemd/` holds `unit`, in what was being deployed, else in what was deployed before. */
function unitApp(host: string, unit: string, snapshots: readonly ClusterSnapshot[]): string | null {
  for (const snapshot of snapshots) {
    for (const app of snapshot.get(host)?.apps.values() ?? []) if (app.files.has(`systemd/${unit}`)) return app.name;
  }
  return null;
}

/** Every unit that did not stay healthy during a host's activation, with its status and config file. */
export function failedUnits(outcomes: readonly HostOutcome[], clusterPath: string, snapshots: readonly ClusterSnapshot[]): FailedUnit[] {
  const failed: FailedUnit[] = [];
  for (const outcome of outcomes) {
    const report = outcome.activation;
    if (!report || outcome.status === 'deployed') continue;
    for (const unit of report.units.filter(failing)) {
      const app = unitApp(outcome.host, unit.unit, snapshots);
      const status = [...report.statuses].reverse().find((s) => s.unit === unit.unit)?.text ?? '';
      failed.push({
        host: outcome.host,
        unit: unit.unit,
        file: app === null ? null : [clusterPath, outcome.host, app, 'systemd', unit.unit].filter((p) => p !== '' && p !== '.').join('/'),
        state: `${unit.activeState} (${unit.subState}${unit.result && unit.result !== 'success' ? `, result ${unit.result}` : ''})`,
        status: status.length > STATUS_LIMIT ? `${status.slice(0, STATUS_LIMIT)}\n… (cut)\n` : status,
        outcome: outcome.status,
      });
    }
  }
  return failed;
}

/** Every health check whose last result failed on a host that did not deploy, with the manifest that has it. */
export function failedChecks(outcomes: readonly HostOutcome[], clusterPath: string): FailedCheck[] {
  return outcomes.flatMap((outcome) =>
    outcome.status === 'deployed' || !outcome.activation
      ? []
      : outcome.activation.checks
          .filter((check) => !check.ok)
          .map((check) => ({
            host: outcome.host,
            app: check.app,
            target: check.target,
            file: [clusterPath, outcome.host, check.app, 'manifest.json'].filter((p) => p !== '' && p !== '.').join('/'),
            summary: check.summary,
            excerpt: check.excerpt,
            outcome: outcome.status,
          })),
  );
}

/** What became of the host, after what failed on it. */
function afterwards(outcome: HostOutcome['status']): string {
  return outcome === 'rolled-back' ? 'the host was rolled back.' : 'the rollback did not finish either: the host may be half-changed (see the summary).';
}

/** One `::error` per failed unit and failed check on its file, at most MAX_ANNOTATIONS, then one saying where the rest are. */
export function annotations(outcomes: readonly HostOutcome[], units: readonly FailedUnit[], checks: readonly FailedCheck[] = []): Annotation[] {
  const all: Annotation[] = units.map((u) => ({
    title: `${u.unit} failed on ${u.host}`,
    message: `${u.unit} is ${u.state} on ${u.host}; ${afterwards(u.outcome)}\n${u.status.trim()}`,
    ...(u.file === null ? {} : { file: u.file }),
  }));
  for (const c of checks) {
    all.push({ title: `check ${c.target} failed on ${c.host}`, message: `${c.summary}; ${afterwards(c.outcome)}${c.excerpt === '' ? '' : `\n${c.excerpt}`}`, file: c.file });
  }
  const withUnits = new Set([...units.map((u) => u.host), ...checks.map((c) => c.host)]);
  for (const outcome of outcomes) {
    // A host never started (a stopped rollout, a cancelled run) has nothing to point at; the summary lists it.
    if (outcome.status === 'deployed' || outcome.status === 'unchanged' || outcome.status === 'skipped' || withUnits.has(outcome.host)) continue;
    all.push({ title: `${outcome.host}: ${outcome.status.replace('-', ' ')}`, message: outcome.problems.join('\n') || `The deploy did not succeed on ${outcome.host}.` });
  }
  if (all.length <= MAX_ANNOTATIONS) return all;
  const shown = all.slice(0, MAX_ANNOTATIONS - 1);
  shown.push({ title: `${all.length - shown.length} more failures`, message: `${all.length - shown.length} more hosts or units failed; the job summary lists every one with its systemd status.` });
  return shown;
}

export interface OutcomeSummary {
  readonly verb: 'Deploy' | 'Rollback' | 'Dry run';
  readonly outcomes: readonly HostOutcome[];
  readonly seconds: number;
  readonly runUrl: string;
  readonly storeCommit: string | null;
  /** The stages the deploy went through, and why it stopped early (its failure budget). */
  readonly rollout?: Rollout;
  readonly stopped?: StoppedRollout | null;
  /** Hosts whose state the store did not know, recorded before anything changed. */
  readonly synced?: { readonly hosts: readonly { readonly host: string; readonly detail: string }[]; readonly commit: string } | null;
}

function counts(outcomes: readonly HostOutcome[]): string {
  const by = new Map<string, number>();
  for (const o of outcomes) by.set(o.status, (by.get(o.status) ?? 0) + 1);
  return [...by].map(([status, n]) => `${n} ${status.replace('-', ' ')}`).join(', ');
}

/** One short paragraph for the top of the PR comment: what happened, where to read more. */
export function outcomeHeader(summary: OutcomeSummary): string {
  const ok = summary.outcomes.every((o) => o.status === 'deployed' || o.status === 'unchanged');
  const notOk = summary.outcomes.filter((o) => o.status !== 'deployed' && o.status !== 'unchanged').map((o) => o.host);
  const who = notOk.length === 0 ? '' : `: ${notOk.slice(0, 10).map(codeSpan).join(', ')}${notOk.length > 10 ? ` and ${notOk.length - 10} more` : ''}`;
  const commit = summary.storeCommit === null ? '' : `, recorded as store commit <code>${summary.storeCommit.slice(0, 10)}</code>`;
  const line = `${ok ? '✅' : '❌'} **${summary.verb} ${ok ? 'succeeded' : 'did not succeed'}** in [this run](${summary.runUrl}) (${counts(summary.outcomes)}${who}) in ${summary.seconds.toFixed(2)}s${commit}.`;
  return summary.stopped ? `${line} ${stoppedLine(summary.stopped, summary.outcomes)}` : line;
}

/** A rollout stopped by its failure budget, in one sentence that cannot be missed. */
export function stoppedLine(stopped: StoppedRollout, outcomes: readonly HostOutcome[]): string {
  const after = stopped.kind === 'canary' ? 'its canary' : `stage ${stopped.stage}`;
  const skipped = outcomes.filter((o) => o.status === 'skipped').length;
  return `⛔ **The rollout stopped after ${after}**: ${stopped.failed} host(s) failed, more than its failure budget of ${stopped.maxFailed}; ${skipped} host(s) were not started.`;
}

/** Room for the outcome section in the job summary; the plan gets the rest of its 1 MiB. */
export const OUTCOME_BUDGET = 500_000;

/** The job summary's outcome section: a table of every host, each failed check's last result, then each failed unit's status, within OUTCOME_BUDGET bytes. */
export function outcomeMarkdown(summary: OutcomeSummary, units: readonly FailedUnit[], checks: readonly FailedCheck[] = []): string {
  const rows = summary.outcomes.map((o) => [codeSpan(o.host), STATUS_WORD[o.status], escapeHtml(o.problems.join('; ')).replace(/\|/g, '\\|')]);
  const blocks = [`## deptool: ${summary.verb.toLowerCase()}`, outcomeHeader(summary), markdownTable([['Host', 'Result', 'Detail'], ...rows])];
  if (summary.synced) {
    blocks.push(
      `### Read back into the store\n\nThe store did not know what these hosts ran; store commit <code>${summary.synced.commit.slice(0, 10)}</code> records it, and the plan was made again over it.\n\n` +
        markdownTable([['Host', 'What the host ran'], ...summary.synced.hosts.map((h) => [codeSpan(h.host), escapeHtml(h.detail).replace(/\|/g, '\\|')])]),
    );
  }
  if (checks.length > 0) {
    // Each result is a few hundred bytes at most: they always fit.
    blocks.push(
      '### Failed checks',
      ...checks.map((c) =>
        details(`<code>${escapeHtml(c.host)}</code>: <code>${escapeHtml(c.target)}</code> (${escapeHtml(c.summary)}) in <code>${escapeHtml(c.file)}</code>`, fence(c.excerpt === '' ? '(no output)\n' : `${c.excerpt}\n`, '')),
      ),
    );
  }
  if (units.length > 0) blocks.push('### Failed units');
  let size = blocks.reduce((sum, block) => sum + Buffer.byteLength(block) + 2, 0);
  for (const [index, u] of units.entries()) {
    const where = u.file === null ? '' : ` in <code>${escapeHtml(u.file)}</code>`;
    const block = details(`<code>${escapeHtml(u.host)}</code>: <code>${escapeHtml(u.unit)}</code> ${escapeHtml(u.state)}${where}`, fence(u.status.endsWith('\n') || u.status === '' ? u.status : `${u.status}\n`, ''));
    // The table alone can exceed the budget only with tens of thousands of hosts; statuses give way first.
    if (size + Buffer.byteLength(block) + 200 > OUTCOME_BUDGET) {
      blocks.push(`…and ${units.length - index} more failed unit(s); their status is in the job's log.`);
      break;
    }
    blocks.push(block);
    size += Buffer.byteLength(block) + 2;
  }
  return blocks.join('\n\n') + '\n';
}
