// The deploy report: which units failed, where their files are, and the annotation cap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotations, failedUnits, MAX_ANNOTATIONS, outcomeMarkdown, OUTCOME_BUDGET } from '../../src/action/report.js';
import type { HostOutcome } from '../../src/deploy/deploy.js';
import type { ClusterSnapshot } from '../../src/tree/types.js';
import { structure } from '../helpers/gfm.js';

function rolledBack(host: string, status = `● app.service - App\n     Active: failed (Result: exit-code)\n`): HostOutcome {
  return {
    host,
    status: 'rolled-back',
    problems: ['app.service failed'],
    activation: {
      result: 'rolled-back',
      errors: [],
      warnings: [],
      units: [
        { unit: 'app.service', activeState: 'failed', subState: 'failed', result: 'exit-code', restarts: 0, healthy: false },
        { unit: 'other.service', activeState: 'active', subState: 'running', result: 'success', restarts: 0, healthy: true },
      ],
      rollbackUnits: [{ unit: 'app.service', activeState: 'active', subState: 'running', result: 'success', restarts: 0, healthy: true }],
      statuses: [{ unit: 'app.service', text: status }],
      rolledBack: true,
      recovered: null,
      checks: [],
      confirmed: false,
    },
  };
}

function snapshot(hosts: readonly string[]): ClusterSnapshot {
  const files = new Map([['systemd/app.service', { oid: '0'.repeat(40), executable: false, size: 1 }]]);
  return new Map(hosts.map((host) => [host, { name: host, apps: new Map([['app', { name: 'app', files, manifest: { units: [] }, treeOid: '1'.repeat(40) }]]) }])) as unknown as ClusterSnapshot;
}

test('a failed unit is found with its status and its unit file in the config tree; healthy units are not', () => {
  const units = failedUnits([rolledBack('web1')], 'clusters/prod', [snapshot(['web1'])]);
  assert.deepEqual(units.map((u) => [u.host, u.unit, u.file]), [['web1', 'app.service', 'clusters/prod/web1/app/systemd/app.service']]);
  assert.equal(units[0].state, 'failed (failed, result exit-code)');
  assert.match(units[0].status, /Active: failed/);
});

test('an annotation says whether the host was rolled back or its rollback did not finish', () => {
  const back = rolledBack('web1');
  const failed: HostOutcome = { ...rolledBack('web2'), status: 'failed' };
  const outcomes = [back, failed];
  const [first, second] = annotations(outcomes, failedUnits(outcomes, 'prod', [snapshot(['web1', 'web2'])]));
  assert.match(first.message, /^app\.service is failed \(failed, result exit-code\) on web1; the host was rolled back\.\n/);
  assert.match(second.message, /^app\.service is failed \(failed, result exit-code\) on web2; the rollback did not finish either: the host may be half-changed \(see the summary\)\.\n/);
});

test('annotations stop at the limit, the last one pointing to the summary', () => {
  const hosts = Array.from({ length: 12 }, (_, i) => `web${i}`);
  const outcomes = hosts.map((h) => rolledBack(h));
  const list = annotations(outcomes, failedUnits(outcomes, 'prod', [snapshot(hosts)]));
  assert.equal(list.length, MAX_ANNOTATIONS);
  assert.equal(list.filter((a) => a.file !== undefined).length, MAX_ANNOTATIONS - 1);
  assert.match(list.at(-1)!.message, /3 more hosts or units failed; the job summary lists every one/);
  const refused: HostOutcome = { host: 'db', status: 'refused', problems: ['host is locked by another deploy'], activation: null };
  assert.deepEqual(annotations([refused], []), [{ title: 'db: refused', message: 'host is locked by another deploy' }]);
});

test('the outcome section stays within its budget however many units failed, with every block closed', () => {
  const hosts = Array.from({ length: 200 }, (_, i) => `web${i}`);
  const outcomes = hosts.map((h) => rolledBack(h, `${'x'.repeat(80)}\n`.repeat(400) + '```\n</details>\n'));
  const markdown = outcomeMarkdown({ verb: 'Deploy', outcomes, seconds: 1, runUrl: 'https://github.com/o/r/actions/runs/1', storeCommit: null }, failedUnits(outcomes, 'prod', [snapshot(hosts)]));
  assert.ok(Buffer.byteLength(markdown) <= OUTCOME_BUDGET);
  assert.match(markdown, /…and \d+ more failed unit\(s\); their status is in the job's log\./);
  structure(markdown);
});
