/** Model actions: choosing a network (catalog, files, URL), its input size and pixel range, the backend; and waiting for a model to load. */
import { catalogEntry } from '../../model/catalog';
import { useStudio, type StudioState } from '../../state/store';
import type { StudioActions } from '../../ui/studio-actions';
import { store, type ActionContext } from './context';

/** How waiting for a model ended: loaded, or not (with the reason, for the user). */
export type ModelWait = { loaded: true } | { loaded: false; reason: string };

const isLoaded = (s: StudioState, modelId: string, resolution: number | null): boolean =>
  !s.modelLoading &&
  s.model?.card.id === modelId &&
  (resolution === null || s.model.resolution === resolution);

/**
 * Resolves when the model `modelId` (at `resolution`, when given) is loaded — at once when
 * it already is. Resolves `loaded: false` when its load fails or another model is chosen
 * first; either way it stops listening to the store.
 */
export function whenModelLoaded(
  modelId: string,
  resolution: number | null = null,
): Promise<ModelWait> {
  return new Promise((resolve) => {
    if (isLoaded(useStudio.getState(), modelId, resolution)) return resolve({ loaded: true });
    const unsubscribe = useStudio.subscribe((s, prev) => {
      let result: ModelWait | null = null;
      if (isLoaded(s, modelId, resolution)) result = { loaded: true };
      else if (s.modelError !== null && s.modelError !== prev.modelError)
        result = { loaded: false, reason: s.modelError };
      else if (s.modelId !== prev.modelId && s.modelId !== modelId)
        result = { loaded: false, reason: 'another model was chosen meanwhile' };
      else if (s.model !== prev.model && s.model?.card.id === modelId && !s.modelLoading)
        result = { loaded: false, reason: `it loaded at ${s.model.resolution} px instead` };
      if (!result) return;
      unsubscribe();
      resolve(result);
    });
  });
}

export interface ModelActions {
  actions: Pick<
    StudioActions,
    | 'loadModel'
    | 'loadModelFiles'
    | 'loadModelUrl'
    | 'setResolution'
    | 'setValueRange'
    | 'setBackend'
  >;
  /** Loads a catalog model (at `resolution`, or its default input size). */
  loadModel: (modelId: string, resolution?: number | null) => void;
  /**
   * The model `modelId` at `resolution` is loaded: at once, or after loading it. Not
   * `exact`: any input size of that network will do (its layers are the same).
   */
  ensureModel: (modelId: string, resolution: number | null, exact?: boolean) => Promise<ModelWait>;
}

export function modelActions({ client }: ActionContext): ModelActions {
  const loadModel = (modelId: string, resolution: number | null = null) => {
    const entry = catalogEntry(modelId);
    if (!entry) return store().setModelError(`Unknown model "${modelId}".`);
    store().setModelLoading(modelId);
    client.loadModel(
      { kind: 'catalog', modelId, url: new URL(entry.url, location.href).href },
      resolution,
    );
  };
  return {
    loadModel,
    ensureModel: (modelId, resolution, exact = true) => {
      if (isLoaded(store(), modelId, resolution)) return Promise.resolve({ loaded: true });
      // Listen first: a load can fail at once (an unknown id).
      const wait = whenModelLoaded(modelId, exact ? resolution : null);
      loadModel(modelId, resolution);
      return wait;
    },
    actions: {
      loadModel,
      loadModelFiles: (files) => {
        store().setModelLoading(store().modelId);
        client.loadModel({ kind: 'files', files }, null);
      },
      loadModelUrl: (url) => {
        let href: string;
        try {
          href = new URL(url, location.href).href;
        } catch {
          return store().setModelError(`"${url}" is not a URL.`);
        }
        store().setModelLoading(store().modelId);
        client.loadModel({ kind: 'url', url: href }, null);
      },
      setResolution: (resolution) => {
        const current = store().model;
        if (!current) return;
        store().setModelLoading(current.card.id);
        client.reloadModel(resolution);
      },
      setValueRange: (range) => {
        const current = store().model;
        if (!current) return;
        store().setModelLoading(current.card.id);
        client.reloadModel(current.resolution, range);
      },
      setBackend: (choice) => {
        store().setBackendChoice(choice);
        store().setBackendReport(null);
        client.setBackend(choice);
      },
    },
  };
}
