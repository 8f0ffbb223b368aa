// The Action's deploy observer: progress as log lines, unit statuses as the CLI shows them.
import * as core from '@actions/core';
import type { DeployObserver, HostPhase } from '../deploy/deploy.js';
import { checkBlock, statusBlock, type ActivationReport } from '../deploy/protocol.js';

/** Deploy progress as log lines; the activation's unit statuses and check results go into the log too, as on the CLI. */
export class LogObserver implements DeployObserver {
  phase(host: string, phase: HostPhase, detail?: string): void {
    core.info(`  ${host}: ${phase}${detail ? ` (${detail})` : ''}`);
  }

  notice(host: string, message: string): void {
    core.notice(message, { title: host });
  }

  activated(host: string, report: ActivationReport): void {
    const block = statusBlock(host, report) + checkBlock(host, report);
    if (block !== '') core.info(block.trimEnd());
  }
}
