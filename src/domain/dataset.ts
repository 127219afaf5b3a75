/** Datasets: files as dropped, what could not be used, and the classes found. */

/** One file of a dataset: where it sits in the dropped tree, and its bytes. */
export interface DatasetFile {
  path: string;
  file: Blob;
}

/** A class of the dataset and how many usable images it has. */
export interface ClassSummary {
  name: string;
  count: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
  /** Set when the file was refused while decoding (not by its name). */
  decodeFailure?: boolean;
}

/** A bundled sample dataset (an ordinary class-folder tree served under `/samples/<id>/`). */
export interface SampleInfo {
  id: string;
  name: string;
  description: string;
}
