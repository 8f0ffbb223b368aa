// Real webhook payloads from @octokit/webhooks-examples, picked by event and action.
import { createRequire } from 'node:module';

interface Example {
  name: string;
  examples: Record<string, unknown>[];
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Example[];

function of(name: string, pick: (example: Record<string, unknown>) => boolean): Record<string, unknown> {
  const found = examples.find((e) => e.name === name)?.examples.find(pick);
  if (!found) throw new Error(`@octokit/webhooks-examples has no matching ${name} payload`);
  return structuredClone(found);
}

type Pull = { number: number; html_url: string; head: { sha: string; repo: unknown }; base: { repo: { full_name: string } } };

export function pullRequest(action: 'opened' | 'synchronize'): Record<string, unknown> & { pull_request: Pull } {
  return of('pull_request', (e) => e.action === action) as Record<string, unknown> & { pull_request: Pull };
}

/** An opened PR whose head is the fork from the `fork` event's payload (Octocoders/Hello-World). */
export function forkPullRequest(): Record<string, unknown> & { pull_request: Pull } {
  const payload = pullRequest('opened');
  payload.pull_request.head.repo = of('fork', () => true).forkee;
  return payload;
}

/** A push to the default branch (refs/heads/master of Codertocat/Hello-World). */
export function push(): Record<string, unknown> & { after: string; ref: string } {
  return of('push', (e) => e.ref === 'refs/heads/master' && typeof e.after === 'string' && !/^0+$/.test(e.after)) as Record<string, unknown> & { after: string; ref: string };
}

export function workflowDispatch(inputs: Record<string, string>): Record<string, unknown> & { ref: string } {
  const payload = of('workflow_dispatch', (e) => e.ref === 'refs/heads/master') as Record<string, unknown> & { ref: string };
  payload.inputs = inputs;
  return payload;
}
