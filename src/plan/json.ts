// The plan's JSON form (schema documented in docs/plan-json.md), its digest and its hosts'
// digests: sha256 over a canonical serialisation, so one plan has one digest on any machine.
import { createHash } from 'node:crypto';
import { checkTarget } from '../tree/checks.js';
import type { FileEntry, HealthCheck } from '../tree/types.js';
import { amountText, type Amount } from '../tree/rollout.js';
import type { Rollout } from './rollout.js';
import type { AppPlan, HostPlan, Plan } from './types.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function entryJson(entry: FileEntry | null): Json {
  return entry && { oid: entry.oid, executable: entry.executable, size: entry.size };
}

function appJson(app: AppPlan): Json {
  const json: { [key: string]: Json } = {
    app: app.app,
    action: app.action,
    old_rev: app.oldRev,
    new_rev: app.newRev,
    files: app.files.map((f) => ({ path: f.path, change: f.change, old: entryJson(f.old), new: entryJson(f.new) })),
    symlinks: app.symlinks.map((l) => ({ target: l.target, change: l.change, source: l.source, old_source: l.oldSource })),
    sysusers: { link: [...app.sysusers.link], unlink: [...app.sysusers.unlink], run: app.runSysusers },
    units: {
      link: [...app.units.link],
      unlink: [...app.units.unlink],
      disable: [...app.units.disable],
      enable: [...app.units.enable],
      restart: [...app.units.restart],
    },
  };
  // Only apps whose quadlets change have it: other plans keep their digests.
  if (app.quadlets) json.quadlets = { link: [...app.quadlets.link], unlink: [...app.quadlets.unlink] };
  // Only apps that list host units have it: other plans keep their digests.
  if (app.hostUnits) json.host_units = { restart: [...app.hostUnits.restart], reload: [...app.hostUnits.reload] };
  if (app.validate) json.validate = app.validate.map((command) => [...command]);
  if (app.checks) json.checks = app.checks.map(checkJson);
  return json;
}

/** A check as manifest.json writes it, every default filled in. */
function checkJson(check: HealthCheck): Json {
  const timing = { within: check.within, interval: check.interval, timeout: check.timeout };
  switch (check.kind) {
    case 'http':
      return { http: check.url, status: check.status, contains: check.contains, ...timing };
    case 'tcp':
      return { tcp: checkTarget(check).slice('tcp '.length), ...timing };
    case 'exec':
      return { exec: [...check.argv], ...timing };
  }
}

function hostJson(host: HostPlan): { [key: string]: Json } {
  const json: { [key: string]: Json } = {
    host: host.host,
    new_host: host.newHost,
    rollback: { available: host.rollback.available, reasons: [...host.rollback.reasons] },
    apps: host.apps.map(appJson),
  };
  // Only a plan corrected at lock time has it: plans made offline keep their digests.
  if (host.overwrite) {
    json.overwrite = { edits: [...host.overwrite.edits], apps: [...host.overwrite.apps], links: host.overwrite.links.map((l) => ({ target: l.target, value: l.value })) };
  }
  return json;
}

/** Serialises with object keys sorted and no whitespace: the form the digest is taken over. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The digest covers what would change (cluster, hosts, per-file old and new ids),
 * not the store commit: a plan reviewed on a PR keeps its digest at merge time as
 * long as the changes it would make are the same.
 */
export function planDigest(plan: Plan): string {
  return `sha256:${digestOf(plan, plan.hosts).toString('hex')}`;
}

/** The rollout policy as written, and how hosts are locked: what a reviewer approves besides the changes (the stages follow from it and the hosts). */
function policyJson(rollout: Rollout): Json {
  const { canary, batch, maxFailed, pause } = rollout.policy;
  const written = (value: Amount | null): Json => (value === null ? null : amountText(value));
  return { canary: written(canary), batch: written(batch), max_failed: written(maxFailed), pause, locking: rollout.locking };
}

function digestOf(plan: Pick<Plan, 'schema' | 'cluster' | 'rollout'>, hosts: readonly HostPlan[]): Buffer {
  const subject: { [key: string]: Json } = { schema: plan.schema, cluster: plan.cluster, hosts: hosts.map(hostJson) };
  // Only a plan with a rollout has it: plans without one keep their digests.
  if (plan.rollout) subject.rollout = policyJson(plan.rollout);
  return createHash('sha256').update(canonicalJson(subject), 'utf8').digest();
}

/** Bytes of a host digest: 128 bits, so two host plans with one digest cost 2^64 tries to craft. */
const HOST_DIGEST_BYTES = 16;

/**
 * One host's plan, digested as the plan digest would be for a plan holding only that host
 * (its first 128 bits, base64url): short enough for a thousand of them in the plan comment's
 * marker, and naming the host, so equal digests mean the same changes on the same host.
 */
export function hostDigest(plan: Pick<Plan, 'schema' | 'cluster' | 'rollout'>, host: HostPlan): string {
  return digestOf(plan, [host]).subarray(0, HOST_DIGEST_BYTES).toString('base64url');
}

function count<T>(items: readonly T[], pick: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[pick(item)] = (counts[pick(item)] ?? 0) + 1;
  return counts;
}

export function planToJson(plan: Plan): Json {
  const apps = plan.hosts.flatMap((h) => h.apps);
  const files = apps.flatMap((a) => a.files);
  return {
    schema: plan.schema,
    cluster: plan.cluster,
    base: plan.base,
    digest: planDigest(plan),
    summary: {
      hosts_changed: plan.hosts.length,
      hosts_up_to_date: plan.upToDate.length,
      apps: { add: 0, update: 0, remove: 0, ...count(apps, (a) => a.action) },
      files: { add: 0, modify: 0, remove: 0, ...count(files, (f) => f.change) },
      rollback_unavailable: plan.hosts.filter((h) => !h.rollback.available).map((h) => h.host),
    },
    hosts: plan.hosts.map((host) => ({ host: host.host, digest: hostDigest(plan, host), ...hostJson(host) })),
    up_to_date: [...plan.upToDate],
    untracked: [...plan.untracked],
    ...(plan.rollout
      ? {
          rollout: {
            ...(policyJson(plan.rollout) as { [key: string]: Json }),
            max_failed_hosts: plan.rollout.maxFailed,
            stages: plan.rollout.stages.map((stage) => ({ kind: stage.kind, hosts: [...stage.hosts] })),
          },
        }
      : {}),
  };
}

export function renderJson(plan: Plan): string {
  return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
}
