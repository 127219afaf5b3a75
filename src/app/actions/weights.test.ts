import { beforeEach, describe, expect, it } from 'vitest';
import { resetStudio } from '../../state/store';
import { store } from './context';
import { memoryStorage, weightsOf } from './testing';
import { createWeightsKeeper, RUNS_IN_MEMORY } from './weights';

beforeEach(() => resetStudio());

describe('the weights keeper', () => {
  it('without storage keeps the weights of the latest runs in memory', async () => {
    const keeper = createWeightsKeeper(undefined);
    for (let i = 0; i <= RUNS_IN_MEMORY; i++) keeper.receive(weightsOf(`train-${i}`));
    await expect(keeper.get('train-0')).resolves.toBeUndefined();
    await expect(keeper.get(`train-${RUNS_IN_MEMORY}`)).resolves.toEqual(
      weightsOf(`train-${RUNS_IN_MEMORY}`),
    );
    keeper.forget(`train-${RUNS_IN_MEMORY}`);
    await expect(keeper.get(`train-${RUNS_IN_MEMORY}`)).resolves.toBeUndefined();
  });

  it('with storage, reads stored weights back once they are saved', async () => {
    const storage = memoryStorage();
    const keeper = createWeightsKeeper(storage);
    keeper.receive(weightsOf('train-1'));
    await expect(keeper.get('train-1')).resolves.toEqual(weightsOf('train-1'));
    expect(storage.weights.has('train-1')).toBe(true);
    storage.weights.delete('train-1');
    await expect(keeper.get('train-1')).resolves.toBeUndefined(); // not held twice
  });

  it('keeps weights it could not store, and save() says why', async () => {
    const keeper = createWeightsKeeper(memoryStorage({ saveWeights: 'The storage is full.' }));
    await expect(keeper.save(weightsOf('train-1'))).rejects.toThrow('The storage is full.');
    keeper.receive(weightsOf('train-2'));
    await expect(keeper.get('train-2')).resolves.toEqual(weightsOf('train-2'));
    expect(store().storageError).toBe('The storage is full.');
    keeper.clear();
    await expect(keeper.get('train-1')).resolves.toBeUndefined();
  });
});
