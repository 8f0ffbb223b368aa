// The example workflow, the project's CI and the README's tables agree with action.yml:
// what they pass to the action is declared there, and what the README lists is exact.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');

interface ActionSpec {
  readonly inputs: Record<string, { readonly required?: boolean; readonly default?: string }>;
  readonly outputs: Record<string, { readonly description: string }>;
}

interface Step {
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}

interface Job {
  readonly if?: string;
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': unknown };
  readonly steps: readonly Step[];
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** Parsed strictly: a syntax error or a duplicate key throws. */
function yaml<T>(path: string): T {
  return parse(read(path), { prettyErrors: true, uniqueKeys: true }) as T;
}

const ACTION = yaml<ActionSpec>('action.yml');
const EXAMPLE_PATH = 'examples/workflows/deptool.yml';
const CI_PATH = '.github/workflows/ci.yml';

/** Steps that run this action: `./` in this repository, `deptool/deptool@<ref>` in users'. */
function actionSteps(workflow: Workflow): { job: string; step: Step }[] {
  return Object.entries(workflow.jobs).flatMap(([job, spec]) =>
    spec.steps.filter((step) => step.uses === './' || step.uses?.startsWith('deptool/deptool@') === true).map((step) => ({ job, step })),
  );
}

function job(workflow: Workflow, name: string): Job {
  const found = workflow.jobs[name];
  assert.ok(found, `job '${name}' is missing`);
  return found;
}

for (const path of [EXAMPLE_PATH, CI_PATH]) {
  test(`${path} passes the action only inputs that action.yml declares, and every required one`, () => {
    const workflow = yaml<Workflow>(path);
    const steps = actionSteps(workflow);
    assert.ok(steps.length > 0, `${path} never runs the action`);
    const required = Object.entries(ACTION.inputs).filter(([, spec]) => spec.required === true).map(([name]) => name);
    for (const { job: name, step } of steps) {
      const given = Object.keys(step.with ?? {});
      for (const key of given) assert.ok(key in ACTION.inputs, `${path}: job '${name}' passes '${key}', which action.yml does not declare`);
      for (const key of required) assert.ok(given.includes(key), `${path}: job '${name}' does not pass the required input '${key}'`);
    }
  });

  test(`${path} reads only the contents by default and widens per job`, () => {
    const workflow = yaml<Workflow>(path);
    assert.deepEqual(workflow.permissions, { contents: 'read' });
  });
}

test('the example deploys on push, plans on pull requests and rolls back on workflow_dispatch, each in its own job', () => {
  const workflow = yaml<Workflow>(EXAMPLE_PATH);
  assert.deepEqual(Object.keys(workflow.on).sort(), ['pull_request', 'push', 'workflow_dispatch']);
  assert.equal(job(workflow, 'plan').if, "github.event_name == 'pull_request'");
  assert.equal(job(workflow, 'deploy').if, "github.event_name == 'push'");
  assert.equal(job(workflow, 'rollback').if, "github.event_name == 'workflow_dispatch'");
});

test('the example deploy and rollback share one concurrency group that never cancels a run in progress', () => {
  const workflow = yaml<Workflow>(EXAMPLE_PATH);
  const deploy = job(workflow, 'deploy').concurrency;
  const rollback = job(workflow, 'rollback').concurrency;
  assert.ok(deploy && rollback, 'deploy and rollback both need a concurrency group');
  assert.equal(deploy.group, rollback.group);
  assert.ok(!deploy.group.includes('${{'), 'the group must be one fixed name, not one per run or ref');
  assert.equal(deploy['cancel-in-progress'], false);
  assert.equal(rollback['cancel-in-progress'], false);
});

test('the example deploy may push the store branch and update the pull request comment', () => {
  const workflow = yaml<Workflow>(EXAMPLE_PATH);
  const permissions = job(workflow, 'deploy').permissions ?? {};
  assert.equal(permissions.contents, 'write');
  assert.equal(permissions['pull-requests'], 'write');
  assert.equal(job(workflow, 'rollback').permissions?.contents, 'write');
  assert.equal(job(workflow, 'plan').permissions?.['pull-requests'], 'write');
});

test('the example plan job gets no SSH key and no secret at all', () => {
  const workflow = yaml<Workflow>(EXAMPLE_PATH);
  const plan = job(workflow, 'plan');
  for (const step of plan.steps) {
    assert.equal(step.with?.['ssh-private-key'], undefined, 'the plan job must not pass ssh-private-key');
  }
  assert.doesNotMatch(JSON.stringify(plan), /secrets\./);
  assert.equal(plan.environment, undefined, "the plan job must not enter the deploy environment, whose secrets it does not need");
});

test('the example deploy refuses unreviewed plans and both host-contacting jobs get the key and known hosts', () => {
  const workflow = yaml<Workflow>(EXAMPLE_PATH);
  const [deploy] = actionSteps({ ...workflow, jobs: { deploy: job(workflow, 'deploy') } });
  assert.equal(deploy.step.with?.['require-reviewed-plan'], true);
  for (const name of ['deploy', 'rollback']) {
    const [{ step }] = actionSteps({ ...workflow, jobs: { [name]: job(workflow, name) } });
    assert.equal(step.with?.['ssh-private-key'], '${{ secrets.DEPTOOL_SSH_KEY }}', name);
    assert.equal(step.with?.['known-hosts'], '${{ vars.DEPTOOL_KNOWN_HOSTS }}', name);
  }
});

test("the example rollback passes every workflow_dispatch input to the action input of the same name", () => {
  const workflow = yaml<Workflow>(EXAMPLE_PATH);
  const dispatch = workflow.on.workflow_dispatch as { inputs: Record<string, { required?: boolean; default?: unknown }> };
  const [{ step }] = actionSteps({ ...workflow, jobs: { rollback: job(workflow, 'rollback') } });
  for (const name of Object.keys(dispatch.inputs)) {
    assert.ok(name in ACTION.inputs, `dispatch input '${name}' is not an action input`);
    assert.equal(step.with?.[name], `\${{ inputs.${name} }}`);
  }
  assert.equal(dispatch.inputs.hosts.required, true);
  assert.equal(dispatch.inputs.to.default, ACTION.inputs.to.default);
});

test('the CI runs the action from the checkout in plan mode and checks its outputs', () => {
  const workflow = yaml<Workflow>(CI_PATH);
  assert.deepEqual(Object.keys(workflow.jobs).sort(), ['action', 'check-dist', 'release-dry-run', 'test']);
  const steps = actionSteps(workflow);
  assert.deepEqual(steps.map((s) => s.job), ['action']);
  const [{ step }] = steps;
  assert.equal(step.uses, './');
  assert.equal(step.with?.mode, 'plan');
  assert.equal(step.with?.cluster, 'examples/prod');
  assert.equal(step.with?.['ssh-private-key'], undefined);
  const later = job(workflow, 'action').steps.map((s) => JSON.stringify(s)).join('\n');
  for (const output of ['digest', 'changed']) assert.ok(later.includes(`steps.${step.id}.outputs.${output}`), `the CI never looks at the '${output}' output`);
  const checkDist = job(workflow, 'check-dist').steps.map((s) => s.run ?? '').join('\n');
  assert.match(checkDist, /npm run build/);
  assert.match(checkDist, /git diff --exit-code/);
});

/** The rows of the Markdown table whose header row is exactly `header`. */
function tableRows(markdown: string, header: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(header);
  assert.notEqual(start, -1, `README has no table headed '${header}'`);
  assert.match(lines[start + 1], /^\|(---\|)+$/);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split('|').map((cell) => cell.trim()));
  }
  return rows;
}

/** `` `x` `` → x; the README shows every name and default as one code span. */
function unquote(cell: string): string {
  const match = /^`([^`]*)`$/.exec(cell);
  return match ? match[1] : cell;
}

test("the README's inputs table lists exactly action.yml's inputs, in order, with their defaults", () => {
  const rows = tableRows(read('README.md'), '| input | default | |');
  const listed = rows.map(([name, fallback]) => [unquote(name), unquote(fallback)]);
  const declared = Object.entries(ACTION.inputs).map(([name, spec]) => [name, spec.required === true && spec.default === undefined ? 'required' : (spec.default ?? '')]);
  assert.deepEqual(listed, declared);
  for (const [name, , description] of rows) assert.ok(description, `README: input ${name} has no description`);
});

test("the README's outputs table lists exactly action.yml's outputs, in order", () => {
  const rows = tableRows(read('README.md'), '| output | |');
  assert.deepEqual(
    rows.map(([name]) => unquote(name)),
    Object.keys(ACTION.outputs),
  );
});
