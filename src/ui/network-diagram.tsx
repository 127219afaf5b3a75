/**
 * The network as a picture: a stack of blocks from the input (bottom) to the new head (top),
 * coloured by the modes of their layers, with the freeze line (frozen below, fine-tuned above)
 * and the feature cut drawn across it. It edits the same `plan` as the layer list.
 */
import {
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type PointerEvent,
  type ReactNode,
  type RefObject,
} from 'react';
import {
  MODE_LABEL,
  modeOf,
  type FeatureMaps,
  type LayerInfo,
  type LayerMode,
  type LayerPlan,
  type ModelInfo,
} from '../domain';
import { useStudio } from '../state/store';
import {
  blockDrift,
  blockMix,
  epochCost,
  featureCut,
  freezeBoundary,
  freezeLine,
  groupBlocks,
  nearestPosition,
  planAtCut,
  planAtFreezeLine,
  samePlan,
  setBlockMode,
  type BlockMix,
  type NetworkBlock,
} from '../strategy/blocks';
import { planTotals, planWarnings, setMode } from '../strategy/layer-plan';
import { QUADRANTS, quadrantPlan, type Quadrant } from '../strategy/quadrant';
import { FeatureThumbs } from './charts/feature-thumbs';
import { useStudioActions } from './studio-actions';

const MODES: LayerMode[] = ['frozen', 'fine-tune', 'reinit'];
/** Keras class names short enough for an opened block's narrow rows. */
const SHORT_CLASS: Record<string, string> = {
  BatchNormalization: 'BatchNorm',
  DepthwiseConv2D: 'Depthwise',
  ZeroPadding2D: 'ZeroPad',
  InputLayer: 'Input',
  GlobalAveragePooling2D: 'GlobalAvgPool',
  AveragePooling2D: 'AvgPool',
  MaxPooling2D: 'MaxPool',
};
/** How long the pointer rests on a block before its feature maps are asked for (not on every pass). */
const HOVER_MS = 350;
/** How long the line glides to a new place (skipped when the user asks for less motion). */
const GLIDE_MS = 320;

const fmt = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n);
const macs = (n: number) =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(0)} M` : fmt(n);
const time = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`;

/** Soft fills for a block's background, by the share of its parameters in each mode. */
function mixFill(mix: BlockMix): string | undefined {
  const parts: [string, number][] = [
    ['var(--net-frozen)', mix.frozen],
    ['var(--net-finetune)', mix.fineTune],
    ['var(--net-reinit)', mix.reinit],
    ['var(--net-cut)', mix.cutAway],
  ];
  const total = parts.reduce((n, [, v]) => n + v, 0);
  if (total === 0) return undefined;
  let at = 0;
  const stops = parts
    .filter(([, v]) => v > 0)
    .map(([c, v]) => {
      const from = at;
      at += (v / total) * 100;
      return `${c} ${from.toFixed(1)}% ${at.toFixed(1)}%`;
    });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

function mixText(b: NetworkBlock, mix: BlockMix): string {
  const counts = MODES.filter((m) => mix.layers[m] > 0).map(
    (m) => `${mix.layers[m]} ${MODE_LABEL[m]}`,
  );
  const shape = b.outputShape ? `output ${b.outputShape}` : '';
  const skip = b.residual ? 'skip connection adds its input to its output' : '';
  const cut = mix.cutAway > 0 ? `${fmt(mix.cutAway)} parameters cut away` : '';
  return [shape, `${fmt(b.params)} parameters`, counts.join(', '), skip, cut]
    .filter(Boolean)
    .join('; ');
}

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
  /** The line sits above this block (−1: below the first). */

  const totals = planTotals(layers, plan);
  const measured =
    timings && lastRun?.timings === timings && lastRun.model === model.card.name
      ? { timings, epochs: lastRun.epochs.length, plan: lastRun.plan }
      : null;
  const cost = epochCost(layers, plan, measured);
  const warnings = planWarnings(layers, plan);
  const cutWarning = warnings.find((w) => w.fix && w.fix.plan.featureLayer !== plan.featureLayer);
  const lineWarning = warnings.find((w) => w.fix && w.fix.plan.featureLayer === plan.featureLayer);

  // Why the line is where it is: the chosen quadrant's reason, while its plan is in place
  // (its cut may come from the probe, so the current feature layer is tried as the suggestion).
  const reason = useMemo(() => {
    if (!quadrant) return null;
    for (const suggestedCut of [undefined, plan.featureLayer]) {
      try {
        const q = quadrantPlan(quadrant, [...layers], model.card.featureLayer, { suggestedCut });
        if (samePlan(layers, q.plan, plan)) return q.reason;
      } catch {
        return null;
      }
    }
    return null;
  }, [quadrant, plan, layers, model.card.featureLayer]);
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
  const featureDim = featureChannels(layers[line.end]?.outputShape);
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
            {featureDim && classCount > 0 ? fmt((featureDim + 1) * classCount) : ''}
          </span>
          <span className="net-tag">new weights</span>
        </div>
      </div>
    </section>
  );
}

/** The width of the feature vector: the last dimension (conv maps are average-pooled). */
function featureChannels(shape: string | undefined): number | null {
  const last = shape?.split(' | ')[0]?.split('×').pop();
  return last && /^\d+$/.test(last) ? Number(last) : null;
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

interface LineProps {
  order: number;
  busy: boolean;
  onFix: (plan: LayerPlan) => void;
}

/** Keys of a vertical slider: up = more frozen / a later cut. */
function sliderKeys(e: KeyboardEvent, value: number, max: number, set: (v: number) => void) {
  const step: Record<string, number> = {
    ArrowUp: 1,
    ArrowRight: 1,
    ArrowDown: -1,
    ArrowLeft: -1,
    PageUp: 3,
    PageDown: -3,
  };
  if (e.key in step) set(value + step[e.key]!);
  else if (e.key === 'Home') set(0);
  else if (e.key === 'End') set(max);
  else return;
  e.preventDefault();
}

/** A line's place in the stack (px from its top) and how to move it to a place. */
interface LineDrag {
  at: (row: HTMLElement) => number;
  to: (y: number, row: HTMLElement) => void;
}

/**
 * While a line is held, its handle follows the pointer, snapping to the nearest stop. The
 * pointer's movement is added to where the handle was taken, in the stack's own coordinates,
 * so a scroll of the panel under the pointer cannot make the line run away.
 */
function usePointerDrag(drag: LineDrag, busy: boolean) {
  const start = useRef<{ pointer: number; at: number } | null>(null);
  return {
    onPointerDown: (e: PointerEvent<HTMLElement>) => {
      if (busy || (e.target as HTMLElement).closest('button')) return;
      e.currentTarget.setPointerCapture(e.pointerId);
      e.currentTarget.querySelector<HTMLElement>('[role="slider"]')?.focus({ preventScroll: true });
      start.current = { pointer: e.clientY, at: drag.at(e.currentTarget) };
    },
    onPointerMove: (e: PointerEvent<HTMLElement>) => {
      if (start.current && e.currentTarget.hasPointerCapture(e.pointerId))
        drag.to(start.current.at + e.clientY - start.current.pointer, e.currentTarget);
    },
    onPointerUp: () => {
      start.current = null;
    },
  };
}

/** Slides a row from where it was to where it is now (FLIP), so a quadrant visibly moves the line. */
function useGlide(ref: RefObject<HTMLElement | null>, key: number) {
  const last = useRef<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const top = el.offsetTop;
    const from = last.current;
    last.current = top;
    const calm = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    if (from === null || from === top || calm || !el.animate) return;
    el.animate([{ transform: `translateY(${from - top}px)` }, { transform: 'none' }], {
      duration: GLIDE_MS,
      easing: 'ease-out',
    });
  }, [ref, key]);
}

function FreezeRow(
  props: LineProps & {
    value: number;
    max: number;
    valueText: string;
    exact: boolean;
    onValue: (v: number) => void;
    drag: LineDrag;
    readout: ReactNode;
    note: ReactNode;
    warning: { message: string; fix: LayerPlan; at: string } | null;
  },
) {
  const ref = useRef<HTMLDivElement>(null);
  useGlide(ref, props.order);
  const drag = usePointerDrag(props.drag, props.busy);
  return (
    <div ref={ref} className="net-line net-freeze" style={{ order: props.order }} {...drag}>
      <div className="net-line-bar">
        <div
          role="slider"
          tabIndex={0}
          aria-label="Freeze line"
          aria-orientation="vertical"
          aria-valuemin={0}
          aria-valuemax={props.max}
          aria-valuenow={props.value}
          aria-valuetext={props.valueText}
          aria-disabled={props.busy || undefined}
          className="net-handle"
          onKeyDown={(e) => !props.busy && sliderKeys(e, props.value, props.max, props.onValue)}
        >
          <span aria-hidden="true">⇕</span> Freeze line
        </div>
        <span className="net-sides small" aria-hidden="true">
          <span>▲ fine-tune</span>
          <span>▼ frozen</span>
        </span>
      </div>
      <p className="net-line-text">
        {props.valueText}.<br />
        {props.readout}
      </p>
      {props.note && <p className="net-line-text small">{props.note}</p>}
      {props.warning && (
        <div className="net-warning small">
          <span>{props.warning.message}</span>
          <button
            type="button"
            className="button small-button"
            disabled={props.busy}
            onClick={() => props.onFix(props.warning!.fix)}
          >
            Move the line to a block boundary
          </button>
        </div>
      )}
    </div>
  );
}

function CutRow(
  props: LineProps & {
    index: number;
    max: number;
    featureLayer: string;
    block: NetworkBlock | undefined;
    channels: number | null;
    inside: boolean;
    onValue: (v: number) => void;
    drag: LineDrag;
    warning: { message: string; fix: LayerPlan } | null;
  },
) {
  const ref = useRef<HTMLDivElement>(null);
  useGlide(ref, props.order);
  const drag = usePointerDrag(props.drag, props.busy);
  const where = props.inside && props.block ? `, inside ${props.block.name}` : '';
  return (
    <div
      ref={ref}
      className={`net-line net-cut ${props.warning ? 'net-cut-bad' : ''}`}
      style={{ order: props.order }}
      {...drag}
    >
      <div className="net-line-bar">
        <div
          role="slider"
          tabIndex={0}
          aria-label="Feature cut"
          aria-orientation="vertical"
          aria-valuemin={0}
          aria-valuemax={props.max}
          aria-valuenow={props.index}
          aria-valuetext={`Features from ${props.featureLayer}${where}`}
          aria-disabled={props.busy || undefined}
          className="net-handle"
          onKeyDown={(e) => !props.busy && sliderKeys(e, props.index, props.max, props.onValue)}
        >
          <span aria-hidden="true">✂</span> Cut
        </div>
      </div>
      <p className="net-line-text">
        Features from <code>{props.featureLayer}</code>
        {where}
        {props.channels ? ` · ${props.channels} values per image` : ''} → new head
      </p>
      {props.warning && (
        <div className="net-warning small">
          <span>{props.warning.message}</span>
          <button
            type="button"
            className="button small-button"
            disabled={props.busy}
            onClick={() => props.onFix(props.warning!.fix)}
          >
            Move the cut to {props.warning.fix.featureLayer}
          </button>
        </div>
      )}
    </div>
  );
}

function BlockRow(props: {
  order: number;
  block: NetworkBlock;
  layers: readonly LayerInfo[];
  plan: LayerPlan;
  cutAway: boolean;
  cutInside: boolean;
  drift: number | null;
  maxDrift: number;
  open: boolean;
  busy: boolean;
  onToggle: () => void;
  onPlan: (plan: LayerPlan) => void;
  onHover: (layer: string | null) => void;
  maps: FeatureMaps | null;
  imageUrl: string | null;
}) {
  const { block: b, layers, plan } = props;
  const spatial = spatialLayer(b, layers);
  const mix = blockMix(b, layers, plan);
  const passive = b.params === 0;
  const detailId = `net-detail-${b.first}`;
  const cls = [
    'net-block',
    `net-kind-${b.kind}`,
    props.cutAway ? 'net-cut-away' : '',
    props.cutInside ? 'net-cut-inside' : '',
    passive ? 'net-passive' : '',
    b.residual ? 'net-residual' : '',
  ].join(' ');
  return (
    <div
      className={cls}
      style={{ order: props.order }}
      onMouseEnter={() => spatial && props.onHover(spatial)}
      onMouseLeave={() => props.onHover(null)}
    >
      <button
        type="button"
        className="net-block-head"
        aria-label={b.name}
        aria-expanded={props.open}
        aria-controls={props.open ? detailId : undefined}
        title={mixText(b, mix)}
        style={{ background: props.cutAway ? undefined : mixFill(mix) }}
        onClick={props.onToggle}
      >
        <span className="net-name">{b.name}</span>
        <span className="net-shape">
          {b.size ? `${b.size} · ` : ''}
          {b.channels !== null ? `${b.channels} ch` : b.outputShape}
        </span>
        <span className="net-params">{passive ? '—' : fmt(b.params)}</span>
        <span className="net-drift-cell">
          {props.drift !== null && (
            <span
              className="net-drift"
              role="img"
              aria-label={`${b.name} moved ${pct(props.drift)} from its start`}
              title={`‖w − w₀‖/‖w₀‖ = ${pct(props.drift)} (parameter-weighted over its layers)`}
            >
              <span className="net-drift-track">
                <span style={{ width: `${(props.drift / (props.maxDrift || 1)) * 100}%` }} />
              </span>
              <em>{pct(props.drift)}</em>
            </span>
          )}
        </span>
      </button>
      {b.residual && <span className="net-skip" aria-hidden="true" />}
      {spatial && props.maps?.layer === spatial && (
        <div className="net-maps">
          <FeatureThumbs
            maps={props.maps}
            src={props.imageUrl}
            label={`Feature maps of ${b.name}`}
          />
        </div>
      )}
      {props.open && (
        <BlockDetail
          id={detailId}
          block={b}
          layers={layers}
          plan={plan}
          busy={props.busy}
          onPlan={props.onPlan}
        />
      )}
    </div>
  );
}

/** The block's last layer with a spatial output (height × width × channels), if any. */
function spatialLayer(b: NetworkBlock, layers: readonly LayerInfo[]): string | null {
  for (let i = b.last; i >= b.first; i--)
    if (layers[i]!.outputShape.split(' | ')[0]!.split('×').length === 3) return layers[i]!.name;
  return null;
}

const SET_BLOCK: Record<LayerMode, string> = {
  frozen: 'Freeze',
  'fine-tune': 'Fine-tune',
  reinit: 'Re-initialize',
};

/** A block opened into its layers (first layer at the bottom, like the stack), each with its mode. */
function BlockDetail(props: {
  id: string;
  block: NetworkBlock;
  layers: readonly LayerInfo[];
  plan: LayerPlan;
  busy: boolean;
  onPlan: (plan: LayerPlan) => void;
}) {
  const { block: b, layers, plan } = props;
  const end = layers.findIndex((l) => l.name === plan.featureLayer);
  const inside = layers.slice(b.first, b.last + 1);
  return (
    <div id={props.id} className="net-detail">
      {b.params > 0 && (
        <div className="net-detail-actions small">
          <span>Whole block:</span>
          {MODES.map((mode) => (
            <button
              key={mode}
              type="button"
              className={`button small-button net-set-${mode}`}
              aria-label={`${SET_BLOCK[mode]} ${b.name}`}
              disabled={props.busy}
              onClick={() => props.onPlan(setBlockMode(b, layers, plan, mode))}
            >
              {MODE_LABEL[mode]}
            </button>
          ))}
        </div>
      )}
      <div className="net-layers">
        {inside.map((l, k) => {
          const i = b.first + k;
          const cut = end >= 0 && i > end;
          const mode = modeOf(plan.modes, l);
          return (
            <div
              key={l.name}
              className={`net-layer ${cut ? 'net-cut-away' : l.params === 0 ? 'net-passive' : `mode-${mode}`}`}
            >
              <span className="net-layer-name" title={l.name}>
                {l.name}
              </span>
              <span className="net-layer-class" title={`${l.className}, output ${l.outputShape}`}>
                {SHORT_CLASS[l.className] ?? l.className}
              </span>
              <span className="net-params">{l.params > 0 ? fmt(l.params) : '—'}</span>
              {cut ? (
                <span className="tag">cut away</span>
              ) : l.params === 0 ? (
                <span className="tag">no weights</span>
              ) : (
                <select
                  aria-label={`${l.name} mode`}
                  value={mode}
                  disabled={props.busy}
                  onChange={(e) => props.onPlan(setMode(plan, l.name, e.target.value as LayerMode))}
                >
                  {MODES.map((m) => (
                    <option key={m} value={m}>
                      {MODE_LABEL[m]}
                    </option>
                  ))}
                </select>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
