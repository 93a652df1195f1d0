import type { RandomSource } from './ports.ts';

// cyrb53: a small, well-mixed 53-bit string hash (public domain, bryc). Enough for simulated outcomes;
// not for anything an attacker should not predict.
function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * A seeded source: the number depends only on (seed, key), never on the order in which concurrent
 * consumers happen to ask, so `DOFS_RANDOM_SEED` makes every fulfilment outcome reproducible.
 */
export function seededRandom(seed: string): RandomSource {
  const seedNumber = cyrb53(seed, 0) % 0xffffffff;
  return (key) => cyrb53(key, seedNumber) / 2 ** 53;
}
