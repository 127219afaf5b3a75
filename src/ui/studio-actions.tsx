/**
 * What the UI can ask the studio to do. The UI owns this interface; the app implements
 * it (worker client + store) and provides it, so components never reach the worker.
 */
import { createContext, useContext } from 'react';
import type { BackendChoice, DatasetFile, SampleInfo } from '../domain';
import type { SweepDepth } from '../strategy/sweep';

export interface StudioActions {
  samples: readonly SampleInfo[];
  loadSample: (sample: SampleInfo) => Promise<void>;
  loadPickedFolder: (list: FileList) => void;
  /** Must be called inside the drop handler (the dropped entries vanish after it). */
  loadDropped: (transfer: DataTransfer) => void;
  /** Stops reading a folder; the dataset loaded before stays. */
  cancelDataset: () => void;
  loadModel: (modelId: string) => void;
  loadModelFiles: (files: File[]) => void;
  loadModelUrl: (url: string) => void;
  setResolution: (resolution: number) => void;
  /** Rebuilds the user's own model with the pixel range they chose. */
  setValueRange: (range: [number, number]) => void;
  setBackend: (choice: BackendChoice) => void;
  train: () => void;
  /** Runs the learning-rate range test on the current data and plan (`Stop` ends it). */
  findLearningRate: () => void;
  /** Sets the learning rates to the ones the last range test suggested. */
  useSuggestedRates: () => void;
  stop: () => void;
  runProbe: () => void;
  requestFeatureMaps: (path: string, layer: string) => void;
  /** An object URL for a dataset image, or null when it is not in the dataset. */
  imageUrl: (path: string) => string | null;
  /** Shows a stored run (curves, evaluation, plan) in the training panel. */
  openRun: (id: string) => void;
  /** Applies a stored run's plan and parameters again. */
  reuseRun: (id: string) => void;
  deleteRun: (id: string) => void;
  deleteDataset: () => void;
  /** Trains the current plan at each depth with `seeds` seeds, on one split. */
  startSweep: (depths: SweepDepth[], seeds: number, fineTuneRate?: number) => void;
  /** Stops the sweep; the runs that finished stay. */
  cancelSweep: () => void;
  /** Runs a lesson (`strategy/lessons.ts`): loads its network and samples, trains its arms (`seeds` each, or the lesson's own count) one run after another. */
  runLesson: (lessonId: string, seeds?: number) => void;
  /** Stops the lesson; the runs that finished stay. */
  stopLesson: () => void;
  /** Trains the applied plan, the chosen quadrant's textbook plan and Teachable Machine's recipe, `seeds` seeds each, on one split. */
  runQuadrantExperiment: (options: { seeds: number; maxEpochs: number | null }) => void;
  /** Stops the quadrant experiment; the runs that finished stay. */
  stopQuadrantExperiment: () => void;
  /** Builds the classifier of a finished run for predictions and export (loading its network if needed). */
  choosePredictRun: (runId: string) => Promise<void>;
  /** Classifies images (a folder's class sub-folders give the true class). */
  predictFiles: (files: DatasetFile[]) => void;
  /** Classifies one camera frame (the bitmap is handed over). */
  predictFrame: (frame: ImageBitmap) => void;
  /** Adds an image (e.g. a camera frame) to a class of the dataset. */
  captureToClass: (className: string, image: Blob) => void;
  /** Downloads the classifier of the run in use as a zip (tfjs layers model + metadata.json). */
  exportModel: () => void;
  /** Downloads the whole studio (dataset, runs, weights, settings) as one file. */
  saveProject: () => Promise<void>;
  /** Downloads the current plan as a training job for the PyTorch runner. */
  exportTrainingJob: () => void;
  /** Adds a run the PyTorch runner wrote (run.json, model.json, weights.bin). */
  importRun: (files: File[]) => Promise<void>;
  /** Replaces the studio with a saved project; a corrupt or foreign file gets a clear message. */
  openProject: (file: File) => Promise<void>;
  /** Downloads the given runs (or the last sweep) as an experiment file. */
  exportExperiment: (what: { runIds: string[] } | 'sweep') => Promise<void>;
  /** Applies an experiment file's model, plan and parameters, and says how the loaded data differs. */
  importExperiment: (file: File) => Promise<void>;
}

export const StudioActionsContext = createContext<StudioActions | null>(null);

export function useStudioActions(): StudioActions {
  const actions = useContext(StudioActionsContext);
  if (!actions) throw new Error('useStudioActions needs a StudioActionsContext provider.');
  return actions;
}
