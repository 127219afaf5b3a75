/**
 * The network as a picture: a stack of blocks from the input (bottom) to the new head (top),
 * coloured by the modes of their layers, with the freeze line (frozen below, fine-tuned above)
 * and the feature cut drawn across it. It edits the same `plan` as the layer list.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { shapeParts, type LayerPlan, type ModelInfo } from '../domain';
import { useStudio } from '../state/store';
import { groupBlocks, type NetworkBlock } from '../strategy/blocks';
import { blockDrift } from '../strategy/block-mix';
import { epochCost, measuredRun } from '../strategy/epoch-cost';
import {
  featureCut,
  freezeBoundary,
  freezeLine,
  nearestPosition,
  planAtCut,
  planAtFreezeLine,
} from '../strategy/freeze-line';
import { newHeadParams, planTotals, planWarnings } from '../strategy/layer-plan';
import { QUADRANTS, type Quadrant } from '../strategy/quadrant';
import { quadrantChoiceReason } from '../strategy/quadrant-choice';
import { BlockRow, fmt } from './charts/diagram-block';
import { CutRow, FreezeRow, type LineDrag } from './charts/diagram-lines';
import { useStudioActions } from './studio-actions';

/** How long the pointer rests on a block before its feature maps are asked for (not on every pass). */
const HOVER_MS = 350;

const macs = (n: number) =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(0)} M` : fmt(n);
const time = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** The top-level selector: nothing to draw until a model is loaded. */
export function NetworkDiagram() {
  const model = useStudio((s) => s.model);
  return model ? <Diagram model={model} /> : null;
}

function Diagram({ model }: { model: ModelInfo }) {
  const plan = useStudio((s) => s.plan);
  const setPlan = useStudio((s) => s.setPlan);
  const drift = useStudio((s) => s.drift);
  const timings = useStudio((s) => s.timings);
  const lastRun = useStudio((s) => s.runs[s.runs.length - 1]);
  const quadrant = useStudio((s) => s.quadrant) as Quadrant | null;
  const head = useStudio((s) => s.params.head);
  const classCount = useStudio((s) => s.classes.length);
  const busy = useStudio((s) => s.phase === 'features' || s.phase === 'training');
  const [open, setOpen] = useState<string | null>(null);
  const stackRef = useRef<HTMLDivElement>(null);
  const { requestFeatureMaps, imageUrl } = useStudioActions();
  const image = useStudio((s) => s.examples[0] ?? null);
  const maps = useStudio((s) => s.featureMaps.maps);
  const [hovered, setHovered] = useState<string | null>(null);

  const layers = model.layers;
  const blocks = useMemo(() => groupBlocks(layers), [layers]);

  // Resting on a block asks for its feature maps on the dataset's first image.
  useEffect(() => {
    if (!hovered || !image || busy) return;
    const timer = setTimeout(() => requestFeatureMaps(image, hovered), HOVER_MS);
    return () => clearTimeout(timer);
  }, [hovered, image, busy, requestFeatureMaps]);

  const line = freezeLine(blocks, layers, plan);
  const cut = featureCut(blocks, layers, plan);
  const m = line.stops.length;
  const boundary = freezeBoundary(blocks, layers, line, line.value);
  const cutBlock = cut.value;

  const totals = planTotals(layers, plan);
  const cost = epochCost(layers, plan, measuredRun(timings, lastRun, model.card.name));
  const warnings = planWarnings(layers, plan);
  const cutWarning = warnings.find((w) => w.fix && w.fix.plan.featureLayer !== plan.featureLayer);
  const lineWarning = warnings.find((w) => w.fix && w.fix.plan.featureLayer === plan.featureLayer);

  // Why the line is where it is: the chosen quadrant's reason, while its plan is in place.
  const reason = useMemo(
    () =>
      quadrant
        ? quadrantChoiceReason(quadrant, model.card.id, [...layers], model.card.featureLayer, plan)
        : null,
    [quadrant, plan, layers, model.card.id, model.card.featureLayer],
  );
  const quadrantLabel = QUADRANTS.find((q) => q.id === quadrant)?.label;

  const edit = (next: LayerPlan) => {
    if (!busy) setPlan(next);
  };
  const setFreeze = (v: number) => {
    const value = Math.max(0, Math.min(m, v));
    if (value !== line.value || !line.exact) edit(planAtFreezeLine(blocks, layers, plan, value));
  };
  const setCut = (i: number) => {
    const at = cut.stops[Math.max(0, Math.min(cut.stops.length - 1, i))]!;
    if (at !== cutBlock || cut.inside) edit(planAtCut(blocks, layers, plan, at));
  };

  /**
   * Where a line's handle would be, from the top of the stack, if its row had `order`: in the
   * column-reverse stack every item of a higher order sits above it. Measured without the row
   * itself, so it does not matter how far the row has already moved.
   */
  const handleYAt = (row: HTMLElement, order: number): number => {
    const stack = stackRef.current;
    const handle = row.querySelector('[role="slider"]')?.getBoundingClientRect();
    if (!stack || !handle) return 0;
    const gap = parseFloat(getComputedStyle(stack).rowGap) || 0;
    let y = 0;
    for (const item of Array.from(stack.children) as HTMLElement[])
      if (item !== row && Number(item.style.order) > order) y += item.offsetHeight + gap;
    return y + handle.top + handle.height / 2 - row.getBoundingClientRect().top;
  };
  /** The freeze line at value v sits above this block (−1: below the first). */
  const freezeAfterAt = (v: number) => (v < m ? line.stops[v]! - 1 : cutBlock);
  const freezeDrag: LineDrag = {
    at: (row) => handleYAt(row, 4 * freezeAfterAt(line.value) + 2),
    to: (y, row) =>
      setFreeze(
        nearestPosition(
          Array.from({ length: m + 1 }, (_, v) => handleYAt(row, 4 * freezeAfterAt(v) + 2)),
          y,
        ),
      ),
  };
  const cutDrag: LineDrag = {
    at: (row) => handleYAt(row, 4 * cutBlock + 3),
    to: (y, row) =>
      setCut(
        nearestPosition(
          cut.stops.map((i) => handleYAt(row, 4 * i + 3)),
          y,
        ),
      ),
  };

  const maxDrift = Math.max(0, ...blocks.map((b) => blockDrift(b, layers, drift) ?? 0));
  const features = blocks[cutBlock];
  const featureDim = shapeParts(layers[line.end]?.outputShape).channels;
  const order = (i: number) => 4 * i + 1;

  return (
    <section aria-label="Network diagram" className="net">
      <div className="net-header">
        <h3>Network diagram</h3>
        <p className="net-legend small" aria-hidden="true">
          <span className="key mode-frozen" /> Frozen <span className="key mode-fine-tune" />{' '}
          Fine-tune <span className="key mode-reinit" /> Re-initialize{' '}
          <span className="key net-key-cut" /> cut away <span className="net-key-skip">⊃</span> skip
          connection
        </p>
      </div>
      <p className="hint small">
        Data flows up from the input. Drag the <strong>freeze line</strong> (or focus it and press ↑
        ↓ Home End): blocks below it stay frozen, blocks above it are fine-tuned. The{' '}
        <strong>cut</strong> says where features are taken. Click a block to see its layers
        {image ? '; rest the pointer on it to see its feature maps for the first image' : ''}.
      </p>
      <div className="net-stack" ref={stackRef}>
        <FreezeRow
          order={4 * freezeAfterAt(line.value) + 2}
          value={line.value}
          max={m}
          valueText={freezeText(line.value, m, boundary, blocks, line.stops, plan.featureLayer)}
          exact={line.exact}
          busy={busy}
          onValue={setFreeze}
          drag={freezeDrag}
          readout={
            <>
              <strong>{fmt(totals.fineTune + totals.reinit)}</strong> parameters learn + new head;{' '}
              {costText(cost)}.
            </>
          }
          note={
            reason ? (
              <span className="net-reason">
                <strong>{quadrantLabel}</strong> puts the line here: {reason}
              </span>
            ) : !line.exact ? (
              <span className="net-reason muted">
                The plan was edited layer by layer: the line marks where the frozen part ends.
              </span>
            ) : null
          }
          warning={
            lineWarning?.fix
              ? { message: lineWarning.message, fix: lineWarning.fix.plan, at: boundary ?? '' }
              : null
          }
          onFix={edit}
        />
        <CutRow
          order={4 * cutBlock + 3}
          index={Math.max(0, cut.stops.indexOf(cutBlock))}
          max={cut.stops.length - 1}
          featureLayer={plan.featureLayer}
          block={features}
          channels={featureDim}
          inside={cut.inside}
          busy={busy}
          onValue={setCut}
          drag={cutDrag}
          warning={
            cutWarning?.fix ? { message: cutWarning.message, fix: cutWarning.fix.plan } : null
          }
          onFix={edit}
        />
        {blocks.map((b, i) => (
          <BlockRow
            key={b.name}
            order={order(i)}
            block={b}
            layers={layers}
            plan={plan}
            cutAway={i > cutBlock}
            cutInside={i === cutBlock && cut.inside}
            drift={blockDrift(b, layers, drift)}
            maxDrift={maxDrift}
            open={open === b.name}
            busy={busy}
            onToggle={() => setOpen(open === b.name ? null : b.name)}
            onHover={(layer) => setHovered(layer)}
            maps={maps && maps.path === image ? maps : null}
            imageUrl={image ? imageUrl(image) : null}
            onPlan={edit}
          />
        ))}
        <div className="net-block net-new-head" style={{ order: order(blocks.length) + 8 }}>
          <span className="net-name">New head</span>
          <span className="net-shape">
            {head === 'svm' ? 'linear SVM' : 'softmax'} · {featureDim ?? '?'} →{' '}
            {classCount > 0 ? classCount : '?'}
          </span>
          <span className="net-params">
            {featureDim && classCount > 0 ? fmt(newHeadParams(featureDim, classCount)) : ''}
          </span>
          <span className="net-tag">new weights</span>
        </div>
      </div>
    </section>
  );
}

function freezeText(
  value: number,
  max: number,
  boundary: string | null,
  blocks: readonly NetworkBlock[],
  stops: readonly number[],
  featureLayer: string,
): string {
  if (value === 0) return `Nothing frozen: all ${max} blocks up to ${featureLayer} fine-tune`;
  const name = blocks[stops[value - 1]!]!.name;
  const block = name === boundary ? '' : ` (${name})`;
  if (value === max) return `Everything frozen, up to ${boundary}${block}`;
  return `Frozen up to ${boundary}${block}; ${max - value} block${max - value === 1 ? '' : 's'} above fine-tune`;
}

function costText(cost: ReturnType<typeof epochCost>): string {
  if (cost.ms !== null)
    return `≈ ${time(cost.ms)} per epoch${cost.onceMs ? ` (+ ${time(cost.onceMs)} once for the frozen part)` : ''}, from the last run`;
  if (cost.work === 0) return 'each epoch only runs the new head on cached features';
  return `each epoch ≈ ${macs(cost.work)} multiply-adds per image, ${Math.round((cost.work / cost.fullWork) * 100)}% of fine-tuning everything`;
}
