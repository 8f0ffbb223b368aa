// What a locked host's report means, before anything changes: a pure function of the
// agent's facts and of what the store says is deployed there.
//
// The host is the truth. A host whose record (state.json) agrees with the files and links
// on it was left that way by deptool, even when the store does not know it (a run that was
// interrupted before it recorded, another operator's store, a lost store): it "moved", and
// the store follows it. A host whose files or links differ from its own record was edited
// by hand ("drift"): nothing is changed there until the operator says which side wins.
import type { HostSnapshot } from '../tree/types.js';
import type { SessionFacts, UnitFile } from './protocol.js';
import { hostState, type HostState } from './steps.js';

export type DriftItem =
  | { readonly kind: 'state-invalid' }
  | { readonly kind: 'state-missing' }
  /** `current` of an app and the host's own record disagree (null: absent). */
  | { readonly kind: 'current'; readonly app: string; readonly onHost: string | null; readonly recorded: string | null }
  | { readonly kind: 'file'; readonly app: string; readonly path: string; readonly change: 'modified' | 'added' }
  /** A file whose mode, owner or group is not what the app's `permissions` say. */
  | { readonly kind: 'permission'; readonly app: string; readonly path: string; readonly what: 'mode' | 'owner' | 'group'; readonly actual: string; readonly expected: string }
  /** The revision `current` names is gone, or its checksum list is unusable. */
  | { readonly kind: 'revision'; readonly app: string; readonly what: string }
  /** `found`: the link's value, `-` when missing, `!` when something else is there. */
  | { readonly kind: 'link'; readonly target: string; readonly expected: string; readonly found: string };

export interface HostChecks {
  readonly host: string;
  readonly expectedHostname: string;
  readonly allowDegraded: boolean;
  /** Units the deploy would link on the host, with the app that ships each. */
  readonly newUnits: ReadonlyMap<string, string>;
}

export interface Assessment {
  /** Reasons to refuse the host that are not drift (wrong machine, unhealthy, a unit that is not deptool's). */
  readonly problems: readonly string[];
  /** Hand edits, each one item. */
  readonly drift: readonly DriftItem[];
  /** What the host runs by deptool's hand when the store says otherwise; null when the store agrees (or there is drift). */
  readonly moved: HostState | null;
}

type ParsedState = HostState | null | 'invalid';

export function parseState(text: string): ParsedState {
  if (text.trim() === '') return null;
  try {
    const value = JSON.parse(text) as HostState;
    return value && typeof value === 'object' && value.schema === 1 && typeof value.apps === 'object' && value.apps !== null ? value : 'invalid';
  } catch {
    return 'invalid';
  }
}

/**
 * The targets whose link values the assessment needs: the host's own record's links, or the
 * store's when the host has no usable record. Ask the session for those it did not report.
 */
export function linkTargets(facts: SessionFacts, expected: HostSnapshot | undefined): string[] {
  const state = parseState(facts.state);
  const reference = state === null || state === 'invalid' ? hostState(expected) : state;
  return [...new Set(Object.values(reference.apps).flatMap((app) => Object.keys(app.links)))].sort();
}

/** Whether two host records say the same: each app's revision, enabled units and links. */
export function sameState(a: HostState, b: HostState): boolean {
  const apps = new Set([...Object.keys(a.apps), ...Object.keys(b.apps)]);
  for (const name of apps) {
    const x = a.apps[name];
    const y = b.apps[name];
    if (!x || !y || x.rev !== y.rev) return false;
    if (JSON.stringify([...x.units_enabled].sort()) !== JSON.stringify([...y.units_enabled].sort())) return false;
    const xl = Object.entries(x.links).sort(([p], [q]) => (p < q ? -1 : 1));
    const yl = Object.entries(y.links).sort(([p], [q]) => (p < q ? -1 : 1));
    if (JSON.stringify(xl) !== JSON.stringify(yl)) return false;
  }
  return true;
}

/** Units a deploy would link (unit -> app) that the host already has outside deptool, one refusal each. */
export function foreignUnits(newUnits: ReadonlyMap<string, string>, unitFiles: ReadonlyMap<string, UnitFile>): string[] {
  const problems: string[] = [];
  for (const [unit, app] of [...newUnits].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const where = unitFiles.get(unit);
    if (where === undefined || typeof where === 'string') continue;
    problems.push(
      `app '${app}' ships systemd/${unit}, but the host already has its own ${unit} (${where.foreign}); deptool manages only units it made and will not replace it. ` +
        `To change the host's unit, ship a drop-in instead: ${app}/systemd/${unit}.d/override.conf.`,
    );
  }
  return problems;
}

/** `links`: every link value the session reported (its first answer and any `links` request since). */
export function assess(checks: HostChecks, facts: SessionFacts, links: ReadonlyMap<string, string>, expected: HostSnapshot | undefined): Assessment {
  const problems: string[] = [];
  if (facts.hostname !== checks.expectedHostname) {
    problems.push(
      `/etc/hostname says '${facts.hostname}', expected '${checks.expectedHostname}': is this the right machine? ` +
        `If it is, set "hostname" for it in deptool.json.`,
    );
  }
  if (facts.system !== 'running' && facts.system !== 'skipped' && !checks.allowDegraded) {
    const failed = facts.failedUnits.length > 0 ? ` (failed: ${facts.failedUnits.join(', ')})` : '';
    problems.push(`system is ${facts.system}${failed}; fix it or pass --allow-degraded`);
  }
  problems.push(...foreignUnits(checks.newUnits, facts.unitFiles));

  const drift: DriftItem[] = [];
  const state = parseState(facts.state);
  if (state === 'invalid') drift.push({ kind: 'state-invalid' });
  else if (state === null && facts.current.size > 0) drift.push({ kind: 'state-missing' });
  // Without a usable record of its own, the host is compared with the store's.
  const reference = state === null || state === 'invalid' ? hostState(expected) : state;
  if (state !== null || facts.current.size > 0) {
    for (const app of [...new Set([...Object.keys(reference.apps), ...facts.current.keys()])].sort()) {
      const onHost = facts.current.get(app) ?? null;
      const wrote = reference.apps[app]?.rev ?? null;
      if (onHost !== wrote) drift.push({ kind: 'current', app, onHost, recorded: wrote });
    }
  }
  for (const file of facts.check.modified) drift.push({ kind: 'file', ...splitAppPath(file), change: 'modified' });
  for (const file of facts.check.extra) drift.push({ kind: 'file', ...splitAppPath(file), change: 'added' });
  for (const broken of facts.check.broken) drift.push({ kind: 'revision', ...broken });
  for (const { what, file, actual, expected } of facts.check.permissions) drift.push({ kind: 'permission', ...splitAppPath(file), what, actual, expected });
  for (const app of Object.values(reference.apps)) {
    for (const [target, value] of Object.entries(app.links)) {
      const found = links.get(target) ?? '-';
      if (found !== value) drift.push({ kind: 'link', target, expected: value, found });
    }
  }

  const onHost: HostState = state === null || state === 'invalid' ? { schema: 1, apps: {} } : state;
  const moved = drift.length === 0 && !sameState(onHost, hostState(expected)) ? onHost : null;
  return { problems, drift, moved };
}

function splitAppPath(file: string): { app: string; path: string } {
  const cut = file.indexOf('/');
  return { app: file.slice(0, cut), path: file.slice(cut + 1) };
}

/** One sentence per drift item. */
export function describeDrift(item: DriftItem): string {
  switch (item.kind) {
    case 'state-invalid':
      return '/var/lib/deptool/state.json is not valid; it was changed outside deptool';
    case 'state-missing':
      return '/var/lib/deptool/state.json is missing although apps are deployed';
    case 'current':
      return item.onHost === null
        ? `app '${item.app}' is recorded at revision ${item.recorded} but has no current revision`
        : item.recorded === null
          ? `app '${item.app}' is at revision ${item.onHost}, which the host's record does not have`
          : `app '${item.app}' is at revision ${item.onHost}, the host's record says ${item.recorded}`;
    case 'file':
      return item.change === 'added' ? `${item.app}/${item.path} was added on the host` : `${item.app}/${item.path} was changed on the host`;
    case 'revision':
      return item.what;
    case 'permission':
      return `${item.what} of ${item.app}/${item.path} is ${item.actual} on the host, expected ${item.expected}`;
    case 'link':
      return item.found === '-' ? `link ${item.target} is missing` : item.found === '!' ? `${item.target} is no longer a link` : `link ${item.target} points to ${item.found}, not ${item.expected}`;
  }
}

/** The refusal of a host with hand edits, with both ways out. */
export function driftRefusal(host: string, drift: readonly DriftItem[]): string {
  return (
    `the host was changed outside deptool (drift): ${drift.map(describeDrift).join('; ')}. ` +
    `Run 'deptool sync --limit ${host}' to accept the host as it is, or 'deptool deploy --overwrite-drift --limit ${host}' to replace the edits.`
  );
}
