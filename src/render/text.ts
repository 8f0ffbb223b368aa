// The terminal plan, in the shape of Deptool's tutorial: host, app, file and
// action lines, then the rollback footer.
import type { Rollout } from '../plan/rollout.js';
import type { AppPlan, FileChange, HostPlan, Plan } from '../plan/types.js';
import { describeCheck } from '../tree/checks.js';
import { showArgv } from '../tree/names.js';
import { paint, type Tone } from './color.js';

export interface TextOptions {
  readonly color: boolean;
}

const APP_INDENT = '    ';
const ITEM_INDENT = '        ';

/** Draws an item's verb (`link`, `enable unit`, ...) in a tone; the Markdown plan leaves verbs plain. */
export type Verb = (tone: Tone, verb: string) => string;

const plainVerb: Verb = (_tone, verb) => verb;

/** An app's changes in activation order (DESIGN §2.2), so a plan reads as what will happen; `mark` draws a file's change. */
export function appItems(app: AppPlan, mark: (change: FileChange['change']) => string, verb: Verb = plainVerb): string[] {
  const items: string[] = [];
  for (const file of app.files) items.push(`${mark(file.change)} ${file.path}`);
  for (const command of app.validate ?? []) items.push(verb('quiet', `validate ${showArgv(command)}`));
  for (const link of app.symlinks) {
    items.push(link.change === 'link' ? `${verb('add', 'link')} ${link.target} -> ${link.source}` : `${verb('remove', 'unlink')} ${link.target}`);
  }
  for (const file of app.sysusers.unlink) items.push(`${verb('remove', 'unlink sysusers')} ${file}`);
  for (const file of app.sysusers.link) items.push(`${verb('add', 'link sysusers')} ${file}`);
  for (const unit of app.units.disable) items.push(`${verb('remove', 'disable unit')} ${unit}`);
  for (const unit of app.units.unlink) items.push(`${verb('remove', 'unlink unit')} ${unit}`);
  for (const unit of app.units.link) items.push(`${verb('add', 'link unit')} ${unit}`);
  for (const file of app.quadlets?.unlink ?? []) items.push(`${verb('remove', 'unlink quadlet')} ${file}`);
  for (const file of app.quadlets?.link ?? []) items.push(`${verb('add', 'link quadlet')} ${file}`);
  for (const unit of app.units.enable) items.push(`${verb('add', 'enable unit')} ${unit}`);
  for (const unit of app.units.restart) items.push(`${verb('change', 'restart unit')} ${unit}`);
  for (const unit of app.hostUnits?.restart ?? []) items.push(`${verb('change', 'restart unit')} ${unit} (host)`);
  for (const unit of app.hostUnits?.reload ?? []) items.push(`${verb('change', 'reload unit')} ${unit} (host)`);
  for (const check of app.checks ?? []) items.push(verb('quiet', `check ${describeCheck(check)}`));
  return items;
}

const ACTION_TONES: Record<AppPlan['action'], Tone> = { add: 'add', update: 'change', remove: 'remove' };
const FILE_TONES: Record<FileChange['change'], Tone> = { add: 'add', modify: 'change', remove: 'remove' };
const FILE_MARKS: Record<FileChange['change'], string> = { add: '+', modify: '~', remove: '-' };

function appLines(app: AppPlan, color: boolean): string[] {
  const mark = (change: FileChange['change']) => paint(color, FILE_TONES[change], FILE_MARKS[change]);
  const verb: Verb = (tone, text) => paint(color, tone, text);
  return [
    `${APP_INDENT}${paint(color, ACTION_TONES[app.action], app.action)} ${app.app}`,
    ...appItems(app, mark, verb).map((item) => `${ITEM_INDENT}${item}`),
  ];
}

/** Hand edits a deploy with --overwrite-drift replaces, before the apps. */
function overwriteLines(host: HostPlan, color: boolean): string[] {
  if (!host.overwrite) return [];
  return [`${APP_INDENT}overwrite hand edits`, ...host.overwrite.edits.map((edit) => `${ITEM_INDENT}${paint(color, 'remove', '!')} ${edit}`)];
}

function hostLines(host: HostPlan, color: boolean): string[] {
  const name = paint(color, 'strong', host.host);
  const title = host.rollback.available ? name : `${name} ${paint(color, 'remove', '(rollback unavailable)')}`;
  return [title, ...overwriteLines(host, color), ...host.apps.flatMap((app) => appLines(app, color))];
}

function names(hosts: readonly string[]): string {
  return hosts.length <= 5 ? hosts.join(', ') : `${hosts.slice(0, 3).join(', ')} and ${hosts.length - 3} more`;
}

/** The rollout in words: its stages, its failure budget, its pauses and how hosts are locked. */
export function rolloutLines(rollout: Rollout): string[] {
  const canary = rollout.stages.filter((s) => s.kind === 'canary');
  const batches = rollout.stages.filter((s) => s.kind === 'batch');
  const parts: string[] = [];
  for (const stage of canary) parts.push(`canary ${names(stage.hosts)} first`);
  if (batches.length === 1) parts.push(`${canary.length > 0 ? 'then ' : ''}${batches[0].hosts.length === 1 ? 'the other host' : `${canary.length > 0 ? 'the other ' : 'all '}${batches[0].hosts.length} hosts at once`}`);
  else if (batches.length > 1) {
    const largest = Math.max(...batches.map((b) => b.hosts.length));
    parts.push(`${canary.length > 0 ? 'then ' : ''}${batches.length} batches of up to ${hostCount(largest)}`);
  }
  const budget =
    rollout.maxFailed === null ? 'no failure budget' : rollout.maxFailed === 0 ? 'stops at the first failed host' : `stops once more than ${hostCount(rollout.maxFailed)} failed`;
  const pause = rollout.policy.pause > 0 ? `; ${rollout.policy.pause} s between stages` : '';
  const locking =
    rollout.locking === 'all' ? 'Every host is locked and checked before the first one changes.' : 'Each stage is locked and checked, all or nothing, before it changes (too many hosts to hold at once).';
  return [`Rollout: ${parts.join(', ')}; ${budget}${pause}.`, locking];
}

export function upToDateLine(cluster: string): string {
  return `All hosts in cluster '${cluster}' are up to date.`;
}

export function renderText(plan: Plan, options: TextOptions): string {
  const notes = plan.untracked.map(
    (host) => `Note: host '${host}' is in the store but not in the config tree; deptool leaves it alone.`,
  );
  if (plan.hosts.length === 0) return [upToDateLine(plan.cluster), ...notes].join('\n') + '\n';
  const footer = plan.hosts.every((h) => h.rollback.available)
    ? 'Auto-rollback if deploy fails.'
    : 'Rollback unavailable for some hosts.';
  const rollout = plan.rollout ? rolloutLines(plan.rollout) : [];
  return [...plan.hosts.flatMap((h) => hostLines(h, options.color)), '', ...rollout, footer, ...rollbackReasonLines(plan), ...notes].join('\n') + '\n';
}

/** Why each marked host cannot be rolled back, so the mark is never a bare claim. */
function rollbackReasonLines(plan: Plan): string[] {
  return plan.hosts.flatMap((host) => host.rollback.reasons.map((reason) => `  ${host.host}: ${reason}.`));
}

export function hostCount(n: number): string {
  return n === 1 ? '1 host' : `${n} hosts`;
}
