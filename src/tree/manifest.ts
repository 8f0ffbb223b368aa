// Parsing and validation of an app's manifest.json (DESIGN §1.1), for the config tree and the store.
import { posix } from 'node:path';
import type { Node } from 'jsonc-parser';
import type { ConfigIssue } from '../errors.js';
import { childPath, didYouMean, member, parseJsonSource, properties, validateJson, type JsonSchema, type JsonSource, type Problem } from '../json-source.js';
import { CHECK_SCHEMA, parseChecks } from './checks.js';
import { EMPTY_MANIFEST, type Manifest, type PermissionRule } from './types.js';
import { hasControlCharacter } from './names.js';
import { checkAccount, checkMode, checkPermissionGlob, normaliseMode } from './permissions.js';
import { isQuadletName, isUnitName, quadletUnit, unitInstance } from './validate.js';

export interface ParsedManifest {
  readonly manifest: Manifest;
  /** Empty when the manifest is valid; the manifest is then complete. */
  readonly issues: ConfigIssue[];
  /** Where each symlink target's key is, for issues found later (conflicts between apps). */
  readonly targetPositions: ReadonlyMap<string, { line: number; column: number }>;
}

/** Absolute paths a manifest may not link into, with what to do instead. */
const RESERVED_TARGETS: ReadonlyArray<{ dir: string; message: string; hint: string }> = [
  {
    dir: '/var/lib/deptool',
    message: 'is inside /var/lib/deptool, which deptool manages itself',
    hint: 'Choose a target outside /var/lib/deptool.',
  },
  {
    dir: '/etc/systemd/system',
    message: 'is inside /etc/systemd/system',
    hint: "Put unit files and drop-ins in the app's systemd/ directory; deptool links them into /etc/systemd/system.",
  },
  {
    dir: '/etc/sysusers.d',
    message: 'is inside /etc/sysusers.d',
    hint: "Put sysusers files in the app's sysusers/ directory; deptool links them into /etc/sysusers.d.",
  },
  {
    dir: '/etc/containers/systemd',
    message: 'is inside /etc/containers/systemd',
    hint: "Put Podman quadlet files in the app's quadlets/ directory; deptool links them into /etc/containers/systemd and reloads systemd.",
  },
];

/**
 * Parses manifest.json text. `displayPath` names the file in issues (a path relative to the
 * working directory, or e.g. `store:<host>/<app>/manifest.json` for the store); `appFiles`
 * holds every app-relative file path of the app, for checking units and link sources.
 */
export function parseManifest(text: string, displayPath: string, appFiles: ReadonlySet<string>): ParsedManifest {
  const { source, root, issues } = parseJsonSource(text, displayPath);
  const targetPositions = new Map<string, { line: number; column: number }>();
  if (root === undefined) return { manifest: EMPTY_MANIFEST, issues, targetPositions };

  issues.push(...validateJson(root, manifestSchema(appFiles), source));

  const unitsEnabled: string[] = [];
  const unitsNode = member(member(root, 'systemd'), 'units_enabled');
  const firstSeen = new Map<string, Node>();
  for (const item of unitsNode?.type === 'array' ? (unitsNode.children ?? []) : []) {
    if (item.type !== 'string') continue;
    const unit = item.value as string;
    const first = firstSeen.get(unit);
    if (first === undefined) {
      firstSeen.set(unit, item);
      unitsEnabled.push(unit);
      continue;
    }
    const { line, column } = source.position(first.offset);
    issues.push(
      source.issue(item, {
        message: `${unit} is listed twice in \`systemd.units_enabled\` (first at line ${line}, column ${column})`,
        hint: 'Remove the duplicate.',
      }),
    );
  }

  const hostUnits = parseHostUnits(member(root, 'systemd'), source, appFiles);
  issues.push(...hostUnits.issues);
  const checks = parseChecks(member(root, 'checks'), source);
  issues.push(...checks.issues);

  const symlinks = new Map<string, string>();
  const symlinksNode = member(root, 'symlinks');
  for (const [key, value] of symlinksNode?.type === 'object' ? properties(symlinksNode) : []) {
    if (value.type !== 'string') continue;
    const target = key.value as string;
    if (!targetPositions.has(target)) targetPositions.set(target, source.position(key.offset));
    symlinks.set(target, value.value as string);
  }

  const permissions: PermissionRule[] = [];
  const permissionsNode = member(root, 'permissions');
  for (const [key, value] of permissionsNode?.type === 'object' ? properties(permissionsNode) : []) {
    if (value.type !== 'object') continue;
    const glob = key.value as string;
    if ((value.children ?? []).length === 0) {
      issues.push(source.issue(value, { message: `\`${childPath('permissions', glob)}\` sets nothing`, hint: 'Give it at least one of mode, owner and group, or remove the entry.' }));
      continue;
    }
    const rule: { glob: string; mode?: string; owner?: string; group?: string } = { glob };
    // Invalid values were reported by the schema; only valid ones are kept.
    for (const [field, setting] of properties(value)) {
      if (setting.type !== 'string') continue;
      const text = setting.value as string;
      if (field.value === 'mode' && checkMode(text) === undefined) rule.mode = normaliseMode(text);
      else if (field.value === 'owner' && checkAccount(text, 'owner') === undefined) rule.owner = text;
      else if (field.value === 'group' && checkAccount(text, 'group') === undefined) rule.group = text;
    }
    permissions.push(rule);
  }
  const validate: string[][] = [];
  const validateNode = member(root, 'validate');
  for (const [i, command] of (validateNode?.type === 'array' ? (validateNode.children ?? []) : []).entries()) {
    if (command.type !== 'array') continue;
    const problems = commandIssues(command, childPath('validate', i));
    issues.push(...problems.map(([node, problem]) => source.issue(node, problem)));
    if (problems.length === 0) validate.push((command.children ?? []).map((arg) => arg.value as string));
  }
  return {
    manifest: { unitsEnabled, unitsRestarted: hostUnits.restarted, unitsReloaded: hostUnits.reloaded, checks: checks.checks, symlinks, permissions, validate },
    issues,
    targetPositions,
  };
}

const HOST_UNIT_KEYS = ['units_restarted', 'units_reloaded'] as const;

/**
 * `systemd.units_restarted` and `units_reloaded`: host units (the schema checked each name and
 * that the app does not ship it, so none is one of its enabled units), each listed once across both lists.
 */
function parseHostUnits(systemd: Node | undefined, source: JsonSource, appFiles: ReadonlySet<string>): { restarted: string[]; reloaded: string[]; issues: ConfigIssue[] } {
  const lists = { units_restarted: [] as string[], units_reloaded: [] as string[] };
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, { key: string; node: Node }>();
  for (const key of HOST_UNIT_KEYS) {
    const node = member(systemd, key);
    for (const item of node?.type === 'array' ? (node.children ?? []) : []) {
      if (item.type !== 'string' || checkHostUnit(item.value as string, appFiles) !== undefined) continue;
      const unit = item.value as string;
      const first = seen.get(unit);
      if (first !== undefined) {
        const { line, column } = source.position(first.node.offset);
        issues.push(
          source.issue(item, {
            message: `${unit} is listed twice (\`systemd.${first.key}\` at line ${line}, column ${column})`,
            hint: first.key === key ? 'Remove the duplicate.' : 'A unit is either restarted or reloaded: keep it in one list.',
          }),
        );
        continue;
      }
      seen.set(unit, { key, node: item });
      lists[key].push(unit);
    }
  }
  return { restarted: lists.units_restarted, reloaded: lists.units_reloaded, issues };
}

/** A unit of the host that an app restarts or reloads: a real unit name, and not one the app ships. */
function checkHostUnit(unit: string, appFiles: ReadonlySet<string>): Problem | undefined {
  const name = JSON.stringify(unit);
  if (!isUnitName(unit) || unit.startsWith('-')) {
    return { message: `${name} is not a systemd unit name`, hint: 'Name a unit of the host, e.g. "nginx.service".' };
  }
  if (unitInstance(unit) === null && unit.includes('@')) {
    return { message: `${name} is a template, which cannot be restarted`, hint: 'Name an instance of it, e.g. "getty@tty1.service".' };
  }
  const instance = unitInstance(unit);
  if (appFiles.has(`systemd/${unit}`) || (instance !== null && appFiles.has(`systemd/${instance.template}`))) {
    return { message: `${name} is a unit of this app`, hint: 'List host units here (the app links config for them); enable the app\'s own units in `systemd.units_enabled`, which restarts them on every change.' };
  }
  return undefined;
}

/**
 * What is wrong with one `validate` command (its types were checked by the schema). The host
 * runs it as root without a shell, each argument one tab-separated field of an activation step:
 * so the program is an absolute path, and no argument is empty or holds a tab, newline or
 * other control character.
 */
function commandIssues(command: Node, where: string): Array<[Node, Problem]> {
  const args = command.children ?? [];
  if (args.length === 0) {
    return [[command, { message: `\`${where}\` is an empty command`, hint: 'Give the program\'s absolute path and its arguments, e.g. ["/usr/sbin/nginx", "-t", "-c", "{rev}/nginx.conf"], or remove it.' }]];
  }
  const found: Array<[Node, Problem]> = [];
  for (const [j, arg] of args.entries()) {
    if (arg.type !== 'string') continue;
    const text = arg.value as string;
    const name = `\`${childPath(where, j)}\``;
    if (text === '') found.push([arg, { message: `${name} is an empty argument`, hint: 'Remove it: deptool cannot pass an empty argument to the host.' }]);
    else if (hasControlCharacter(text)) {
      found.push([arg, { message: `${name} contains a control character (a tab, a newline, ...)`, hint: 'Remove it: each argument goes to the host as one field of a tab-separated line.' }]);
    } else if (j === 0 && !text.startsWith('/')) {
      found.push([
        arg,
        {
          message: `${name} ${JSON.stringify(text)} is not an absolute path`,
          hint: 'Commands run without a shell or a PATH search: give the program\'s absolute path, e.g. "/usr/sbin/nginx". To run a script the app ships, write ["/bin/sh", "{rev}/check.sh"].',
        },
      ]);
    } else if (j === 0 && normalise(text) !== text) found.push([arg, { message: `${name} ${JSON.stringify(text)} is not normalised`, hint: `Write it as ${JSON.stringify(normalise(text))}.` }]);
  }
  return found;
}

function manifestSchema(appFiles: ReadonlySet<string>): JsonSchema {
  return {
    type: 'object',
    fields: {
      systemd: {
        type: 'object',
        fields: {
          units_enabled: { type: 'array', items: { type: 'string', check: (unit) => checkEnabledUnit(unit, appFiles) } },
          units_restarted: { type: 'array', items: { type: 'string', check: (unit) => checkHostUnit(unit, appFiles) } },
          units_reloaded: { type: 'array', items: { type: 'string', check: (unit) => checkHostUnit(unit, appFiles) } },
        },
      },
      checks: { type: 'array', items: CHECK_SCHEMA },
      symlinks: {
        type: 'map',
        keys: checkTarget,
        values: { type: 'string', check: (source) => checkSource(source, appFiles) },
      },
      permissions: {
        type: 'map',
        keys: (glob) => checkPermissionGlob(glob, appFiles),
        values: {
          type: 'object',
          fields: {
            mode: { type: 'string', check: checkMode },
            owner: { type: 'string', check: (name) => checkAccount(name, 'owner') },
            group: { type: 'string', check: (name) => checkAccount(name, 'group') },
          },
        },
      },
      validate: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
    },
  };
}

function checkEnabledUnit(unit: string, appFiles: ReadonlySet<string>): Problem | undefined {
  if (isUnitName(unit) && appFiles.has(`systemd/${unit}`)) return undefined;
  const instance = unitInstance(unit);
  if (instance !== null && appFiles.has(`systemd/${instance.template}`)) return undefined;
  const quadlet = [...appFiles].find((path) => path.startsWith('quadlets/') && isQuadletName(path.slice('quadlets/'.length)) && quadletUnit(path.slice('quadlets/'.length)) === unit);
  if (quadlet !== undefined) {
    return {
      message: `${JSON.stringify(unit)} in \`systemd.units_enabled\` is generated from ${quadlet}, and units Podman's quadlet generator makes cannot be enabled`,
      hint: `Start it at boot with an [Install] section in ${quadlet} (e.g. WantedBy=multi-user.target), and list it in \`systemd.units_restarted\` to restart it whenever the app changes.`,
    };
  }
  const units = [...appFiles].filter((path) => /^systemd\/[^/]+$/.test(path)).map((path) => path.slice('systemd/'.length));
  const guess = didYouMean(unit, units);
  const message =
    instance === null
      ? `${JSON.stringify(unit)} in \`systemd.units_enabled\` is not a unit file in the app's systemd/ directory`
      : `${JSON.stringify(unit)} in \`systemd.units_enabled\` is an instance of ${instance.template}, which is not in the app's systemd/ directory`;
  const hint =
    guess !== undefined
      ? `Did you mean ${JSON.stringify(guess)}?`
      : `Add systemd/${instance?.template ?? unit} to the app, or remove the entry.${units.length > 0 ? ` Units in this app: ${units.join(', ')}.` : ''}`;
  return { message, hint };
}

function checkTarget(target: string): Problem | undefined {
  const name = `symlink target ${JSON.stringify(target)}`;
  if (hasControlCharacter(target)) return { message: `${name} contains a control character`, hint: 'Remove it from the path.' };
  if (!target.startsWith('/')) return { message: `${name} is not an absolute path`, hint: 'Targets are paths on the host; start it with "/".' };
  const normal = normalise(target);
  if (normal === '/') return { message: `${name} is the root directory`, hint: 'Link a path below "/".' };
  if (normal !== target) return { message: `${name} is not normalised`, hint: `Write it as ${JSON.stringify(normal)}.` };
  for (const reserved of RESERVED_TARGETS) {
    if (target === reserved.dir || target.startsWith(`${reserved.dir}/`)) {
      return { message: `${name} ${reserved.message}`, hint: reserved.hint };
    }
  }
  return undefined;
}

function checkSource(source: string, appFiles: ReadonlySet<string>): Problem | undefined {
  const name = `symlink source ${JSON.stringify(source)}`;
  if (hasControlCharacter(source)) return { message: `${name} contains a control character`, hint: 'Remove it from the path.' };
  if (source.startsWith('/')) {
    return { message: `${name} is an absolute path`, hint: 'Sources are paths relative to the app directory, e.g. "tmpfiles.conf".' };
  }
  const normal = normalise(source);
  if (normal === '..' || normal.startsWith('../')) {
    return { message: `${name} points outside the app`, hint: 'Sources must be files or directories inside the app.' };
  }
  if (normal === '.') return { message: `${name} is the app directory itself`, hint: 'Name a file or directory inside the app.' };
  if (normal !== source) return { message: `${name} is not normalised`, hint: `Write it as ${JSON.stringify(normal)}.` };
  if (appFiles.has(source)) return undefined;
  const prefix = `${source}/`;
  for (const file of appFiles) if (file.startsWith(prefix)) return undefined;
  const guess = didYouMean(source, appFiles);
  return {
    message: `${name} does not exist in the app`,
    hint: guess === undefined ? 'Add the file to the app, or fix the path (empty directories do not count).' : `Did you mean ${JSON.stringify(guess)}?`,
  };
}

function normalise(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}
