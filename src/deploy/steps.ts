// What the driver sends a host: the tar of new revisions to stage, the activation
// steps in DESIGN §2.2 order, and the state.json the host keeps afterwards.
import { pack } from 'tar-stream';
import { OperationError } from '../errors.js';
import type { HostPlan } from '../plan/types.js';
import { gitBlobOid } from '../tree/hash.js';
import { showArgv } from '../tree/names.js';
import { permissionsList } from '../tree/permissions.js';
import { appLinks, type AppSnapshot, type HostSnapshot } from '../tree/types.js';
import { DEPTOOL_DIR } from './protocol.js';
import { checksumLine } from './revisions.js';

const UNIT_DIR = '/etc/systemd/system';
const SYSUSERS_DIR = '/etc/sysusers.d';
/** Where Podman's quadlet generator reads system quadlets; it runs at every daemon-reload. */
const QUADLET_DIR = '/etc/containers/systemd';

function currentPath(app: string, path: string): string {
  return `${DEPTOOL_DIR}/apps/${app}/current/${path}`;
}

/** Every link an app owns on the host: target -> link value. */
export function appLinkTargets(app: AppSnapshot): Map<string, string> {
  const links = new Map<string, string>();
  const derived = appLinks(app.files.keys());
  for (const unit of [...derived.units, ...derived.dropIns]) links.set(`${UNIT_DIR}/${unit}`, currentPath(app.name, `systemd/${unit}`));
  for (const file of derived.sysusers) links.set(`${SYSUSERS_DIR}/${file}`, currentPath(app.name, `sysusers/${file}`));
  for (const file of derived.quadlets) links.set(`${QUADLET_DIR}/${file}`, currentPath(app.name, `quadlets/${file}`));
  for (const [target, source] of app.manifest.symlinks) links.set(target, currentPath(app.name, source));
  return links;
}

export interface HostState {
  readonly schema: 1;
  readonly apps: Record<string, { rev: string; units_enabled: string[]; links: Record<string, string> }>;
}

/** The state.json a host holds when it runs exactly `host`'s apps. */
export function hostState(host: HostSnapshot | undefined): HostState {
  const apps: HostState['apps'] = {};
  for (const app of [...(host?.apps.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    apps[app.name] = {
      rev: app.treeOid.slice(0, 10),
      units_enabled: [...app.manifest.unitsEnabled],
      links: Object.fromEntries(appLinkTargets(app)),
    };
  }
  return { schema: 1, apps };
}

/**
 * Units that stay enabled in a changed app, to enable again after the flip: `systemctl
 * enable` points their links at the unit file in the old revision dir, which gc removes.
 * `reset` (disable, then enable) for a unit whose file or drop-ins changed, so a changed
 * [Install] section is applied, and for instances of a template, whose own link
 * (`/etc/systemd/system/foo@bar.service`, the file systemd loads) `systemctl enable`
 * leaves on the old revision; `keep` (enable again, which re-points the links) for the others.
 */
function reenableUnits(plan: HostPlan): { keep: string[]; reset: string[] } {
  const keep: string[] = [];
  const reset: string[] = [];
  for (const app of plan.apps) {
    for (const unit of app.units.restart) {
      const file = `systemd/${unit}`;
      const changed = app.files.some((f) => f.path === file || f.path.startsWith(`${file}.d/`));
      (changed || unit.includes('@') ? reset : keep).push(unit);
    }
  }
  return { keep, reset };
}

/** How long one validate command may run on the host; then it is stopped and the host refuses the change. */
export const VALIDATE_SECONDS = 60;

export interface StepOptions {
  /** Milliseconds every affected unit must stay healthy. */
  readonly settleMs: number;
  /** Wait for the driver's verdict once the units are up (docs/agent-protocol.md, `await`); absent: no wait. */
  readonly await?: { readonly nonce: string; readonly connectSeconds: number; readonly verdictSeconds: number };
}

/**
 * Activation steps for one host. The new revisions' validate commands run first: a failure
 * refuses the host with nothing changed. Units going away are stopped before anything
 * changes; new revisions are flipped in; links, sysusers, file owners, unit and quadlet links follow;
 * units that stay enabled are enabled again (reenable); then enable, restart (the apps' units,
 * then host units), await the driver's verdict and verify; removed apps go last, once nothing uses them.
 */
export function activationSteps(plan: HostPlan, deployed: HostSnapshot | undefined, desired: HostSnapshot, options: StepOptions): string[] {
  const steps: string[][] = [];
  const oldApp = (name: string) => deployed?.apps.get(name);
  const newApp = (name: string) => desired.apps.get(name);

  for (const app of plan.apps) {
    const snapshot = newApp(app.app);
    if (app.action === 'remove' || !app.newRev || !snapshot) continue;
    for (const command of snapshot.manifest.validate) steps.push(['validate', app.app, app.newRev, String(VALIDATE_SECONDS), ...command]);
  }
  for (const app of plan.apps) for (const unit of app.units.disable) steps.push(['disable', unit]);
  for (const app of plan.apps) if (app.action !== 'remove' && app.newRev) steps.push(['flip', app.app, app.newRev]);

  // Links edited by hand go back first, whatever took their place (--overwrite-drift).
  for (const link of plan.overwrite?.links ?? []) steps.push(['link', link.target, link.value, 'replace']);
  for (const app of plan.apps) {
    for (const link of app.symlinks) {
      steps.push(link.change === 'link' ? ['link', link.target, currentPath(app.app, link.source), 'adopt'] : ['unlink', link.target]);
    }
  }
  for (const app of plan.apps) {
    for (const file of app.sysusers.unlink) steps.push(['unlink', `${SYSUSERS_DIR}/${file}`]);
    for (const file of app.sysusers.link) steps.push(['link', `${SYSUSERS_DIR}/${file}`, currentPath(app.app, `sysusers/${file}`), 'no-adopt']);
  }
  if (plan.apps.some((a) => a.runSysusers)) steps.push(['sysusers']);
  // Owners may be users the sysusers step just created; modes were set at staging.
  for (const app of plan.apps) {
    const snapshot = newApp(app.app);
    if (app.action !== 'remove' && app.newRev && snapshot && permissionsList(snapshot) !== null) steps.push(['perms', app.app, app.newRev]);
  }

  // Quadlets are unit files too: the generator turns them into units at the reload.
  let unitFilesChanged = (plan.overwrite?.links ?? []).some((link) => link.target.startsWith(`${UNIT_DIR}/`) || link.target.startsWith(`${QUADLET_DIR}/`));
  for (const app of plan.apps) {
    for (const unit of app.units.unlink) steps.push(['unlink', `${UNIT_DIR}/${unit}`]);
    for (const unit of app.units.link) steps.push(['link', `${UNIT_DIR}/${unit}`, currentPath(app.app, `systemd/${unit}`), 'no-adopt']);
    for (const file of app.quadlets?.unlink ?? []) steps.push(['unlink', `${QUADLET_DIR}/${file}`]);
    for (const file of app.quadlets?.link ?? []) steps.push(['link', `${QUADLET_DIR}/${file}`, currentPath(app.app, `quadlets/${file}`), 'no-adopt']);
    if (app.files.some((f) => f.path.startsWith('systemd/')) || app.units.link.length + app.units.unlink.length > 0 || app.quadlets) unitFilesChanged = true;
  }
  // Before the reload, which then sees the new enablement links.
  const reenable = reenableUnits(plan);
  if (reenable.reset.length > 0) steps.push(['reenable', 'reset', ...reenable.reset]);
  if (reenable.keep.length > 0) steps.push(['reenable', 'keep', ...reenable.keep]);
  if (unitFilesChanged) steps.push(['daemon-reload']);

  const affected: string[] = [];
  for (const app of plan.apps) {
    for (const unit of app.units.enable) steps.push(['enable', unit]);
    for (const unit of app.units.restart) steps.push(['restart', unit]);
    affected.push(...app.units.enable, ...app.units.restart);
  }
  // Host units after the apps' own, which they may depend on (nginx in front of a site);
  // a unit restarted anyway is not also reloaded.
  const hostRestart = [...new Set(plan.apps.flatMap((app) => app.hostUnits?.restart ?? []))].filter((unit) => !affected.includes(unit));
  for (const unit of hostRestart) steps.push(['restart', unit]);
  affected.push(...hostRestart);
  const hostReload = [...new Set(plan.apps.flatMap((app) => app.hostUnits?.reload ?? []))].filter((unit) => !affected.includes(unit));
  for (const unit of hostReload) steps.push(['reload', unit]);
  affected.push(...hostReload);
  if (options.await) steps.push(['await', options.await.nonce, String(options.await.connectSeconds), String(options.await.verdictSeconds)]);
  if (affected.length > 0) {
    steps.push(['verify', String(options.settleMs), ...affected]);
    steps.push(['status', ...affected]);
  } else if (options.await) {
    // Nothing to poll, only the verdict to wait for.
    steps.push(['verify', '0']);
  }
  for (const app of plan.apps) if (app.action === 'remove' && oldApp(app.app) && !newApp(app.app)) steps.push(['remove-app', app.app]);
  steps.push(['state']);
  return steps.map((fields) => fields.join('\t'));
}

/** One step line as the operator reads it (a dry run lists them): `link /etc/x -> /var/lib/...`. */
export function describeStep(line: string): string {
  const [op = '', ...args] = line.split('\t');
  switch (op) {
    case 'validate':
      return `validate ${args[0]}: ${showArgv(args.slice(3))}`;
    case 'flip':
      return `flip ${args[0]} to ${args[1]}`;
    case 'remove-app':
      return `remove ${args[0]}`;
    case 'link':
      return `link ${args[0]} -> ${args[1]}${args[2] === 'replace' ? ', replacing what is there' : ''}`;
    case 'sysusers':
      return 'systemd-sysusers';
    case 'perms':
      return `owners of ${args[0]} ${args[1]}`;
    case 'reenable':
      return `reenable ${args.slice(1).join(' ')}`;
    case 'verify':
      return `verify ${args.slice(1).join(' ')}`;
    case 'state':
      return 'write state.json';
    case 'await':
      return "await the driver's verdict";
    default:
      return [op, ...args].join(' ');
  }
}

type AddEntry = (name: string, content: Buffer, mode: number) => Promise<void>;

/** Builds a tar archive in memory: entries are added in order by `fill`. */
async function tar(fill: (add: AddEntry) => Promise<void>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const finished = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  await fill(
    (name, content, mode) =>
      new Promise((resolve, reject) => {
        archive.entry({ name, size: content.length, mode, type: 'file', mtime: new Date(0), uid: 0, gid: 0 }, content, (error) =>
          error ? reject(error) : resolve(),
        );
      }),
  );
  archive.finalize();
  await finished;
  return Buffer.concat(chunks);
}

/**
 * The activation input: a tar with `steps`, the new `state.json` and, under
 * `revisions/`, the files of each revision to stage with its checksum list and,
 * when its app has `permissions`, its permissions list.
 */
export function activationArchive(
  steps: readonly string[],
  state: HostState,
  stage: readonly AppSnapshot[],
  read: (app: string, path: string) => Promise<Buffer>,
): Promise<Buffer> {
  return tar(async (add) => {
    for (const app of stage) {
      const rev = app.treeOid.slice(0, 10);
      const sums: string[] = [];
      for (const [path, entry] of [...app.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const content = await read(app.name, path);
        // The revision is named by the planned content; a file edited since must not be sent under that name.
        if (gitBlobOid(content) !== entry.oid) throw new OperationError(`${app.name}/${path} changed since the plan was made; run the command again to plan the new content`);
        sums.push(checksumLine(path, content, entry.executable));
        await add(`revisions/${app.name}/${rev}/${path}`, content, entry.executable ? 0o755 : 0o644);
      }
      await add(`revisions/${app.name}/${rev}.sha256`, Buffer.from(`${sums.join('\n')}\n`), 0o644);
      const permissions = permissionsList(app);
      if (permissions !== null) await add(`revisions/${app.name}/${rev}.perms`, Buffer.from(permissions), 0o644);
    }
    await add('steps', Buffer.from(`${steps.join('\n')}\n`), 0o644);
    await add('state.json', Buffer.from(`${JSON.stringify(state, null, 2)}\n`), 0o644);
  });
}
