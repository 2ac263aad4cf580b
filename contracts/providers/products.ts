import type { StateHandlers } from 'msa-verify/contracts';

// Provider states of products. Its catalogue (p-1 .. p-5) is fixed in memory,
// so the states hold by construction; the handlers check the parameters make sense.
const known = new Set(['p-1', 'p-2', 'p-3', 'p-4', 'p-5']);

export const stateHandlers: StateHandlers = {
  'product exists': async (params) => {
    if (!known.has(String(params.id)))
      throw new Error(`state "product exists": ${String(params.id)} is not in the catalogue`);
    return undefined;
  },
  'product does not exist': async (params) => {
    if (known.has(String(params.id)))
      throw new Error(`state "product does not exist": ${String(params.id)} is in the catalogue`);
    return undefined;
  },
  'products exist': async () => undefined,
};
