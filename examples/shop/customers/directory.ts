/** A customer as the customers service answers it (message shop.customers.v1.Customer). */
export interface Customer {
  id: string;
  name: string;
  tier: 'standard' | 'gold';
  active: boolean;
}

/** The named customers: c-1 .. c-4 (c-4 may not place orders). */
const NAMED: ReadonlyMap<string, Customer> = new Map(
  (
    [
      { id: 'c-1', name: 'Ada Lovelace', tier: 'gold', active: true },
      { id: 'c-2', name: 'Grace Hopper', tier: 'standard', active: true },
      { id: 'c-3', name: 'Edsger Dijkstra', tier: 'standard', active: true },
      { id: 'c-4', name: 'Mallory Example', tier: 'standard', active: false },
    ] satisfies Customer[]
  ).map((c) => [c.id, c]),
);

// Ids of guest accounts: `c-` and letters, digits or dashes (tests make fresh ones per order).
const GUEST_ID = /^c-[A-Za-z0-9-]{1,62}$/;

/**
 * The customer with `id`: a named one, or a guest account (tier standard,
 * active, name "Guest <id>") for any other id of the form `c-…`; undefined
 * (NOT_FOUND) for every other id.
 */
export function lookUpCustomer(id: string): Customer | undefined {
  const named = NAMED.get(id);
  if (named) return named;
  return GUEST_ID.test(id) ? { id, name: `Guest ${id}`, tier: 'standard', active: true } : undefined;
}
