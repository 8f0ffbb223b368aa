// In-memory cluster snapshots for planner tests: `{ 'web/caddy/Caddyfile': 'content' }`.
import { appTreeOid, gitBlobOid } from '../../src/tree/hash.js';
import type { AppSnapshot, ClusterSnapshot, FileEntry, HostSnapshot, Manifest } from '../../src/tree/types.js';

export type FileSpec = string | { readonly content: string; readonly executable: boolean };

function manifestOf(text: string | undefined): Manifest {
  if (text === undefined) return { unitsEnabled: [], symlinks: new Map() };
  const json = JSON.parse(text) as { systemd?: { units_enabled?: string[] }; symlinks?: Record<string, string> };
  return { unitsEnabled: json.systemd?.units_enabled ?? [], symlinks: new Map(Object.entries(json.symlinks ?? {})) };
}

/** Builds a snapshot from `host/app/path` keys; hosts listed in `emptyHosts` exist with no apps. */
export function snapshot(files: Record<string, FileSpec>, emptyHosts: readonly string[] = []): ClusterSnapshot {
  const byApp = new Map<string, Map<string, Map<string, { entry: FileEntry; text: string }>>>();
  for (const host of emptyHosts) byApp.set(host, new Map());
  for (const [key, spec] of Object.entries(files)) {
    const [host, app, ...rest] = key.split('/');
    const content = typeof spec === 'string' ? spec : spec.content;
    const executable = typeof spec === 'string' ? false : spec.executable;
    const data = Buffer.from(content);
    const apps = byApp.get(host) ?? byApp.set(host, new Map()).get(host)!;
    const appFiles = apps.get(app) ?? apps.set(app, new Map()).get(app)!;
    appFiles.set(rest.join('/'), { entry: { oid: gitBlobOid(data), executable, size: data.length }, text: content });
  }
  const hosts = new Map<string, HostSnapshot>();
  for (const [host, apps] of byApp) {
    const snapshots = new Map<string, AppSnapshot>();
    for (const [name, appFiles] of apps) {
      const entries = new Map([...appFiles].map(([path, f]) => [path, f.entry]));
      snapshots.set(name, { name, files: entries, manifest: manifestOf(appFiles.get('manifest.json')?.text), treeOid: appTreeOid(entries) });
    }
    hosts.set(host, { name: host, apps: snapshots });
  }
  return hosts;
}
