/**
 * The two lines drawn across the network diagram — the freeze line and the feature cut — as
 * vertical sliders: keyboard (arrows, Page Up/Down, Home, End) and pointer, snapping to stops.
 */
import {
  useLayoutEffect,
  useRef,
  type KeyboardEvent,
  type PointerEvent,
  type ReactNode,
  type RefObject,
} from 'react';
import type { LayerPlan } from '../../domain';
import type { NetworkBlock } from '../../strategy/blocks';

/** How long a line glides to a new place (skipped when the user asks for less motion). */
const GLIDE_MS = 320;

/** What both lines share: their place in the stack, and what to do with a warning's fix. */
export interface LineProps {
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
export interface LineDrag {
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

/** The `Freeze line` slider: frozen below, fine-tuned above, with what that costs and why it is there. */
export function FreezeRow(
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

/** The `Feature cut` slider: where features are taken, with the warning when that is inside a residual block. */
export function CutRow(
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
