import type { StateCreator } from 'zustand';
import { allFrozen, type LayerPlan, type ModelInfo } from '../domain';
import { DEFAULT_MODEL_ID } from '../model/catalog';
import { PROBE_INITIAL } from './strategy-slice';
import type { StudioState } from './store';

export interface ModelSlice {
  /** The model chosen in the picker (may still be loading). */
  modelId: string;
  /** The model that is loaded and usable. */
  model: ModelInfo | null;
  modelLoading: boolean;
  modelError: string | null;
  /** The layer plan for the loaded model. */
  plan: LayerPlan;
  setModelLoading: (modelId: string) => void;
  setModel: (info: ModelInfo) => void;
  /** A failed load keeps the previous model: the picker goes back to it. */
  setModelError: (message: string) => void;
  setPlan: (plan: LayerPlan) => void;
}

/** Whether the plan in the store belongs to this network (same id, and its feature layer exists). */
function keepsPlan(s: StudioState, model: ModelInfo): boolean {
  const same = s.model ? s.model.card.id === model.card.id : s.modelId === model.card.id;
  return same && model.layers.some((l) => l.name === s.plan.featureLayer);
}

export const MODEL_INITIAL = {
  modelId: DEFAULT_MODEL_ID,
  model: null,
  modelLoading: false,
  modelError: null,
  plan: allFrozen(''),
} satisfies Partial<ModelSlice>;

export const modelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set) => ({
  ...MODEL_INITIAL,
  setModelLoading: (modelId) => set({ modelId, modelLoading: true, modelError: null }),
  setModel: (model) =>
    set((s) => ({
      model,
      modelId: model.card.id,
      modelLoading: false,
      modelError: null,
      // Same network again (e.g. another resolution, or after a reload): keep the user's plan.
      plan: keepsPlan(s, model) ? s.plan : allFrozen(model.card.featureLayer),
      probe: PROBE_INITIAL,
    })),
  setModelError: (modelError) =>
    set((s) => ({ modelLoading: false, modelError, modelId: s.model?.card.id ?? s.modelId })),
  setPlan: (plan) => set({ plan }),
});
