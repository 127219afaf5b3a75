/** Job: start tfjs on the best (or the requested) backend and report what it got. */
import { selectBackend } from '../../training/backends';
import type { WorkerContext } from '../context';
import type { InitRequest } from '../protocol';

export async function initBackend(ctx: WorkerContext, req: InitRequest): Promise<void> {
  ctx.report = await selectBackend(req.backend);
  ctx.post({ type: 'backend', runId: req.runId, report: ctx.report });
}
