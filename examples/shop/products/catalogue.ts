/** A product as products serves it. Prices in euro cents. */
export interface Product {
  id: string;
  name: string;
  priceCents: number;
  currency: string;
}

/** The in-memory catalogue: p-1 .. p-5. */
export const CATALOGUE: ReadonlyMap<string, Product> = new Map(
  [
    { id: 'p-1', name: 'Keyboard', priceCents: 4990, currency: 'EUR' },
    { id: 'p-2', name: 'Mouse', priceCents: 2490, currency: 'EUR' },
    { id: 'p-3', name: 'Monitor', priceCents: 18990, currency: 'EUR' },
    { id: 'p-4', name: 'USB-C cable', priceCents: 990, currency: 'EUR' },
    { id: 'p-5', name: 'Headset', priceCents: 7990, currency: 'EUR' },
  ].map((p) => [p.id, p]),
);
