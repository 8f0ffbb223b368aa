// Per-host deploy progress on the terminal: a live block of one line per host on
// a TTY (redrawn in place), plain lines otherwise. An observer of the deploy.
import type { DeployObserver, HostPhase } from '../deploy/deploy.js';
import { checkBlock, statusBlock, type ActivationReport } from '../deploy/protocol.js';
import { paint, type Tone } from '../render/color.js';
import type { Io } from './io.js';

const FINAL: ReadonlySet<HostPhase> = new Set(['done', 'up to date', 'rolled back', 'failed', 'refused', 'skipped']);

function toneOf(phase: HostPhase): Tone {
  if (phase === 'done' || phase === 'up to date') return 'add';
  if (phase === 'failed' || phase === 'refused' || phase === 'rolled back') return 'remove';
  return 'change';
}

export class Progress implements DeployObserver {
  private readonly states = new Map<string, { phase: HostPhase; detail?: string }>();
  private drawn = 0;
  /** Whether anything was written, so that the result lines can be set apart from it. */
  wrote = false;

  constructor(
    private readonly io: Io,
    hosts: readonly string[],
    private readonly live: boolean,
    private readonly color: boolean,
  ) {
    for (const host of hosts) this.states.set(host, { phase: 'connecting' });
  }

  /** Starts a new live block for `hosts` (after a corrected plan was printed below the old one). */
  reset(hosts: readonly string[]): void {
    const before = new Map(this.states);
    this.states.clear();
    for (const host of hosts) this.states.set(host, before.get(host) ?? { phase: 'locked' });
    this.drawn = 0;
  }

  private line(host: string): string {
    const state = this.states.get(host)!;
    const phase = paint(this.color, toneOf(state.phase), state.phase);
    // Final lines carry no detail: the summary after the deploy says why a host failed.
    const detail = state.detail && !FINAL.has(state.phase) ? ` (${state.detail})` : '';
    return `  ${host}: ${phase}${detail}`;
  }

  private clear(): void {
    if (this.drawn > 0) this.io.stdout.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    const lines = [...this.states.keys()].map((host) => this.line(host));
    this.io.stdout.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  phase(host: string, phase: HostPhase, detail?: string): void {
    this.states.set(host, { phase, detail });
    this.wrote = true;
    if (this.live) {
      this.clear();
      this.draw();
    } else {
      this.io.stdout.write(`${this.line(host)}\n`);
    }
  }

  notice(host: string, message: string): void {
    this.print(`  ${host}: ${message}\n`);
  }

  /** Shows the units' `systemctl status` after an activation, as Deptool's tutorial does, and the checks' last results. */
  activated(host: string, report: ActivationReport): void {
    const block = statusBlock(host, report) + checkBlock(host, report);
    if (block !== '') this.print(block);
  }

  /** Prints text above the live block, keeping the block last. */
  print(text: string): void {
    this.wrote = true;
    if (!this.live) {
      this.io.stdout.write(text);
      return;
    }
    this.clear();
    this.io.stdout.write(text);
    this.draw();
  }
}
