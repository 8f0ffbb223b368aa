// In-memory cluster snapshots for planner tests: `{ 'web/caddy/Caddyfile': 'content' }`.
import { appTreeOid, gitBlobOid } from '../../src/tree/hash.js';
import { parseManifest } from '../../src/tree/manifest.js';
import { EMPTY_MANIFEST, type AppSnapshot, type ClusterSnapshot, type FileEntry, type HostSnapshot, type Manifest } from '../../src/tree/types.js';

export type FileSpec = string | { readonly content: string; readonly executable: boolean };

/** The real parser, without its checks: planner tests may name units and files the app lacks. */
function manifestOf(text: string | undefined, files: ReadonlySet<string>): Manifest {
  return text === undefined ? EMPTY_MANIFEST : parseManifest(text, 'manifest.json', files).manifest;
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
      snapshots.set(name, { name, files: entries, manifest: manifestOf(appFiles.get('manifest.json')?.text, new Set(appFiles.keys())), treeOid: appTreeOid(entries) });
    }
    hosts.set(host, { name: host, apps: snapshots });
  }
  return hosts;
}
