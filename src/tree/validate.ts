// Rules on special app paths (DESIGN §1.2) and on conflicts between the apps of one host.
import type { ConfigIssue } from '../errors.js';
import { appLinks, type Manifest } from './types.js';

export const UNIT_TYPES = ['service', 'socket', 'timer', 'target', 'path', 'mount', 'automount', 'swap', 'slice', 'device'] as const;

// systemd's unit name rules: a prefix, an optional "@instance" (empty for templates), a type.
const UNIT_NAME = new RegExp(`^[A-Za-z0-9:_.\\\\-]+(@[A-Za-z0-9:_.\\\\@-]*)?\\.(${UNIT_TYPES.join('|')})$`);
const UNIT_NAME_MAX = 255;

export function isUnitName(name: string): boolean {
  return name.length <= UNIT_NAME_MAX && UNIT_NAME.test(name);
}

/** Splits `foo@bar.service` into template `foo@.service` and instance `bar`; null if not an instance. */
export function unitInstance(name: string): { template: string; instance: string } | null {
  const match = /^([^@]+)@(.+)\.([a-z]+)$/.exec(name);
  if (match === null || !isUnitName(name)) return null;
  return { template: `${match[1]}@.${match[3]}`, instance: match[2] };
}

/** Podman quadlet file types (podman-systemd.unit(5)), with the suffix of the unit each generates. */
export const QUADLET_TYPES: Readonly<Record<string, string>> = {
  container: '',
  kube: '',
  pod: '-pod',
  volume: '-volume',
  network: '-network',
  image: '-image',
  build: '-build',
};

const QUADLET_NAME = new RegExp(`^[A-Za-z0-9:_.-]+(@[A-Za-z0-9:_.@-]*)?\\.(${Object.keys(QUADLET_TYPES).join('|')})$`);

export function isQuadletName(name: string): boolean {
  return name.length <= UNIT_NAME_MAX && QUADLET_NAME.test(name) && !name.startsWith('-');
}

/** The service Podman's generator makes of quadlet file `name` (without a ServiceName= of its own): `web.container` -> `web.service`. */
export function quadletUnit(name: string): string {
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}${QUADLET_TYPES[name.slice(dot + 1)] ?? ''}.service`;
}

const UNIT_HINT = `Unit files are named <name>.<type> with type one of ${UNIT_TYPES.join(', ')}; other files belong outside systemd/.`;

const QUADLET_HINT = `Quadlet files are named <name>.<type> with type one of ${Object.keys(QUADLET_TYPES).join(', ')}; other files belong outside quadlets/.`;

/**
 * Checks the layout of `systemd/`, `sysusers/` and `quadlets/` in one app. `at` turns an app-relative path
 * into the display path of the issue.
 */
export function checkAppLayout(paths: Iterable<string>, at: (relative: string) => string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const reportedDirs = new Set<string>();
  const dirIssue = (dir: string, message: string, hint: string) => {
    if (reportedDirs.has(dir)) return;
    reportedDirs.add(dir);
    issues.push({ path: at(dir), message, hint });
  };
  for (const path of paths) {
    const parts = path.split('/');
    const [top, second, third] = parts;
    if (top === 'systemd') {
      if (second === undefined) {
        issues.push({ path: at(path), message: 'systemd is a file, but systemd/ is the directory of unit files', hint: 'Rename the file, or make systemd/ a directory of unit files.' });
      } else if (third === undefined) {
        if (!isUnitName(second)) issues.push({ path: at(path), message: `${JSON.stringify(second)} is not a systemd unit file name`, hint: UNIT_HINT });
        else if (second.startsWith('-')) {
          issues.push({
            path: at(path),
            message: `unit names starting with "-" belong to systemd itself (-.slice is the root slice, -.mount the root file system)`,
            hint: 'Rename the unit; to change one of the host\'s own units, ship a drop-in (systemd/<unit>.d/override.conf).',
          });
        }
      } else if (!second.endsWith('.d') || !isUnitName(second.slice(0, -2)) || second.startsWith('-')) {
        dirIssue(`systemd/${second}`, 'directory in systemd/ is not a drop-in directory', 'Only drop-in directories named <unit>.d (e.g. caddy.service.d) may be inside systemd/.');
      } else if (parts.length > 3) {
        dirIssue(`systemd/${second}/${third}`, 'drop-in directories may not contain subdirectories', `Put the *.conf files directly in systemd/${second}/.`);
      } else if (!isConfName(third)) {
        issues.push({ path: at(path), message: 'drop-in file name does not end in .conf', hint: 'systemd only reads *.conf files in drop-in directories; rename it or move it out of systemd/.' });
      }
    } else if (top === 'sysusers') {
      if (second === undefined) {
        issues.push({ path: at(path), message: 'sysusers is a file, but sysusers/ is the directory of sysusers.d files', hint: 'Rename the file, or make sysusers/ a directory of *.conf files.' });
      } else if (third !== undefined) {
        dirIssue(`sysusers/${second}`, 'sysusers/ may not contain directories', 'Put the *.conf files directly in sysusers/.');
      } else if (!isConfName(second)) {
        issues.push({ path: at(path), message: 'sysusers file name does not end in .conf', hint: 'systemd-sysusers only reads *.conf files; rename it or move it out of sysusers/.' });
      }
    } else if (top === 'quadlets') {
      if (second === undefined) {
        issues.push({ path: at(path), message: 'quadlets is a file, but quadlets/ is the directory of Podman quadlet files', hint: 'Rename the file, or make quadlets/ a directory of quadlet files.' });
      } else if (third !== undefined) {
        dirIssue(`quadlets/${second}`, 'quadlets/ may not contain directories', 'Put the quadlet files directly in quadlets/; deptool links each into /etc/containers/systemd.');
      } else if (!isQuadletName(second)) {
        issues.push({ path: at(path), message: `${JSON.stringify(second)} is not a Podman quadlet file name`, hint: QUADLET_HINT });
      }
    }
  }
  return issues;
}

function isConfName(name: string): boolean {
  return name.length > '.conf'.length && name.endsWith('.conf');
}

/** One app as the host-level conflict check sees it. */
export interface AppForConflicts {
  readonly name: string;
  readonly files: Iterable<string>;
  readonly manifest: Manifest;
  /** Display path of an app-relative path. */
  readonly at: (relative: string) => string;
  /** Position of each symlink target's key in manifest.json. */
  readonly targetPositions: ReadonlyMap<string, { line: number; column: number }>;
}

/** Two apps on one host may not claim the same unit, drop-in, sysusers file, quadlet or symlink target. */
export function checkHostConflicts(apps: readonly AppForConflicts[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const owners = new Map<string, { app: AppForConflicts; path: string }>();
  const claim = (key: string, what: string, app: AppForConflicts, path: string) => {
    const first = owners.get(key);
    if (first === undefined) {
      owners.set(key, { app, path });
      return;
    }
    issues.push({
      path: app.at(path),
      message: `${what} is provided by both app "${first.app.name}" (${first.app.at(first.path)}) and app "${app.name}"`,
      hint: 'Keep it in one of the two apps; every file on a host belongs to a single app.',
    });
  };
  for (const app of apps) {
    const links = appLinks(app.files);
    for (const unit of links.units) claim(`unit ${unit}`, `unit ${unit}`, app, `systemd/${unit}`);
    for (const dropIn of links.dropIns) claim(`drop-in ${dropIn}`, `drop-in ${dropIn}`, app, `systemd/${dropIn}`);
    for (const file of links.sysusers) claim(`sysusers ${file}`, `sysusers file ${file}`, app, `sysusers/${file}`);
    for (const file of links.quadlets) claim(`quadlet ${file}`, `quadlet ${file}`, app, `quadlets/${file}`);
  }
  issues.push(...symlinkConflicts(apps));
  return issues;
}

function symlinkConflicts(apps: readonly AppForConflicts[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const targets = new Map<string, AppForConflicts>();
  const located = (app: AppForConflicts, target: string, message: string, hint: string): ConfigIssue => ({
    path: app.at('manifest.json'),
    ...app.targetPositions.get(target),
    message,
    hint,
  });
  for (const app of apps) {
    for (const target of app.manifest.symlinks.keys()) {
      const first = targets.get(target);
      if (first === undefined) targets.set(target, app);
      else {
        issues.push(
          located(app, target, `symlink target ${target} is claimed by both app "${first.name}" (${first.at('manifest.json')}) and app "${app.name}"`, 'Keep the link in one of the two apps.'),
        );
      }
    }
  }
  for (const [target, app] of targets) {
    for (let cut = target.lastIndexOf('/'); cut > 0; cut = target.lastIndexOf('/', cut - 1)) {
      const outer = target.slice(0, cut);
      const owner = targets.get(outer);
      if (owner === undefined) continue;
      const whose = owner === app ? 'the same app' : `app "${owner.name}" (${owner.at('manifest.json')})`;
      issues.push(
        located(app, target, `symlink target ${target} of app "${app.name}" is inside symlink target ${outer} of ${whose}`, `A link inside another link would write into the linked directory; link only ${outer}, or pick a target outside it.`),
      );
    }
  }
  return issues;
}
