/// <reference lib="webworker" />
/**
 * A prefix helper's worker (training/prefix-helper.ts): started by the training worker's
 * pool (./prefix-pool.ts), one per core.
 */
import { prefixHelper, type ToPrefixHelper } from '../training/prefix-helper';
import { useBundledWasmFiles } from '../training/wasm-files';

declare const self: DedicatedWorkerGlobalScope;

useBundledWasmFiles();
const handle = prefixHelper((message, transfer = []) => self.postMessage(message, transfer));
self.onmessage = (event: MessageEvent<ToPrefixHelper>) => void handle(event.data);
