// The tutorial's plan blocks, reproduced from store states built through the store API:
// each step plans, compares with the block as the tutorial shows it (kept here, as the
// project's own fixture), then records the deploy. Where deptool deviates on purpose, the
// fixture is deptool's block and `tutorial` keeps the tutorial's text (README, "Differences
// from Deptool").
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { loadDeployed } from '../../src/plan/load.js';
import { makePlan } from '../../src/plan/plan.js';
import { renderText } from '../../src/render/text.js';
import { attemptFromPlan } from '../../src/deploy/attempt.js';
import { Store } from '../../src/store/store.js';
import { loadConfigTree } from '../../src/tree/load.js';

const UNIT = `[Unit]
Description=Caddy webserver
After=network-online.target nss-lookup.target
[Service]
ExecStart=/bin/caddy run --config /var/lib/deptool/apps/caddy/current/Caddyfile
[Install]
WantedBy=multi-user.target
`;
const MANIFEST_UNITS = '{\n  "systemd": {\n    "units_enabled": ["caddy.service"]\n  }\n}\n';
const MANIFEST_LINKS =
  '{\n  "systemd": {\n    "units_enabled": ["caddy.service"]\n  },\n  "symlinks": {\n    "/etc/tmpfiles.d/caddy.conf": "tmpfiles.conf"\n  }\n}\n';

interface Step {
  readonly name: string;
  readonly files: Record<string, string>;
  readonly expected: string;
  /** The tutorial's block, where deptool's differs from it on purpose. */
  readonly tutorial?: string;
}

const STEPS: readonly Step[] = [
  {
    name: 'first deploy',
    files: { 'webserver/caddy/Caddyfile': 'localhost:80\n' },
    expected: 'webserver\n    add caddy\n        + Caddyfile\n\nAuto-rollback if deploy fails.\n',
  },
  {
    name: 'Caddyfile change',
    files: { 'webserver/caddy/Caddyfile': 'localhost:8080\n' },
    expected: 'webserver\n    update caddy\n        ~ Caddyfile\n\nAuto-rollback if deploy fails.\n',
  },
  {
    name: 'adding a unit and a manifest',
    files: {
      'webserver/caddy/Caddyfile': 'localhost:8080\n',
      'webserver/caddy/manifest.json': MANIFEST_UNITS,
      'webserver/caddy/systemd/caddy.service': UNIT,
    },
    // The agent removes the unit link and disables the unit again on rollback.
    expected:
      'webserver\n    update caddy\n        + manifest.json\n        + systemd/caddy.service\n' +
      '        link unit caddy.service\n        enable unit caddy.service\n\nAuto-rollback if deploy fails.\n',
    tutorial:
      'webserver (rollback unavailable)\n    update caddy\n        + manifest.json\n        + systemd/caddy.service\n' +
      '        link unit caddy.service\n        enable unit caddy.service\n\nRollback unavailable for some hosts.\n',
  },
  {
    name: 'restarting the unit on a change',
    files: {
      'webserver/caddy/Caddyfile': 'localhost:9090\n',
      'webserver/caddy/manifest.json': MANIFEST_UNITS,
      'webserver/caddy/systemd/caddy.service': UNIT,
    },
    expected:
      'webserver\n    update caddy\n        ~ Caddyfile\n        restart unit caddy.service\n\nAuto-rollback if deploy fails.\n',
  },
  {
    name: 'adding a symlink',
    files: {
      'webserver/caddy/Caddyfile': 'localhost:9090\n',
      'webserver/caddy/manifest.json': MANIFEST_LINKS,
      'webserver/caddy/systemd/caddy.service': UNIT,
      'webserver/caddy/tmpfiles.conf': 'd /var/lib/caddy 0700 caddy caddy - -\n',
    },
    // The agent removes the new link on rollback, or puts back the identical file it adopted.
    expected:
      'webserver\n    update caddy\n        ~ manifest.json\n        + tmpfiles.conf\n' +
      '        link /etc/tmpfiles.d/caddy.conf -> tmpfiles.conf\n        restart unit caddy.service\n\nAuto-rollback if deploy fails.\n',
    tutorial:
      'webserver (rollback unavailable)\n    update caddy\n        ~ manifest.json\n        + tmpfiles.conf\n' +
      '        link /etc/tmpfiles.d/caddy.conf -> tmpfiles.conf\n        restart unit caddy.service\n\nRollback unavailable for some hosts.\n',
  },
  {
    name: 'changing tmpfiles.conf',
    files: {
      'webserver/caddy/Caddyfile': 'localhost:9090\n',
      'webserver/caddy/manifest.json': MANIFEST_LINKS,
      'webserver/caddy/systemd/caddy.service': UNIT,
      'webserver/caddy/tmpfiles.conf': 'd /var/lib/caddy 0770 caddy www - -\n',
    },
    expected:
      'webserver\n    update caddy\n        ~ tmpfiles.conf\n        restart unit caddy.service\n\nAuto-rollback if deploy fails.\n',
  },
  {
    name: 'removing the symlink',
    files: {
      'webserver/caddy/Caddyfile': 'localhost:9090\n',
      'webserver/caddy/manifest.json': MANIFEST_UNITS,
      'webserver/caddy/systemd/caddy.service': UNIT,
    },
    expected:
      'webserver\n    update caddy\n        ~ manifest.json\n        - tmpfiles.conf\n        unlink /etc/tmpfiles.d/caddy.conf\n' +
      '        restart unit caddy.service\n\nAuto-rollback if deploy fails.\n',
  },
  {
    name: 'removing the app',
    files: { 'webserver/intentionally-left-blank': '' },
    expected:
      'webserver\n    remove caddy\n        - Caddyfile\n        - manifest.json\n        - systemd/caddy.service\n' +
      '        disable unit caddy.service\n        unlink unit caddy.service\n\nAuto-rollback if deploy fails.\n',
  },
];

/** Deptool's rule: any plan that adds a link or enables a unit is marked. */
function asTutorial(text: string): string {
  return text.replace(/^webserver$/m, 'webserver (rollback unavailable)').replace('Auto-rollback if deploy fails.', 'Rollback unavailable for some hosts.');
}

async function writeCluster(dir: string, files: Record<string, string>): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

test('the tutorial plan blocks are reproduced exactly', async () => {
  const work = await mkdtemp(join(tmpdir(), 'deptool-tutorial-'));
  try {
    const store = await Store.init(join(work, '.deptool'));
    const cluster = join(work, 'prod');
    for (const [index, step] of STEPS.entries()) {
      await writeCluster(cluster, step.files);
      const tree = await loadConfigTree(cluster, { cwd: work });
      const base = await store.tip('refs/heads/prod');
      const deployed = await loadDeployed(store, await store.readTree(base));
      const plan = makePlan({ cluster: 'prod', base, deployed, desired: tree.hosts });
      const text = renderText(plan, { color: false });
      assert.equal(text, step.expected, `step ${index + 1}: ${step.name}`);
      // A deviation from the tutorial is only ever its rollback mark and footer.
      if (step.tutorial !== undefined) assert.equal(asTutorial(text), step.tutorial, `step ${index + 1}: ${step.name}, as the tutorial shows it`);
      await store.recordAttempt(attemptFromPlan(plan, tree.hosts, tree.dir, { ref: 'refs/heads/prod', author: { name: 'test', email: 'test@localhost' } }));
    }
    const after = await loadConfigTree(cluster, { cwd: work });
    const base = await store.tip('refs/heads/prod');
    const final = makePlan({ cluster: 'prod', base, deployed: await loadDeployed(store, await store.readTree(base)), desired: after.hosts });
    assert.equal(renderText(final, { color: false }), "All hosts in cluster 'prod' are up to date.\n");
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
