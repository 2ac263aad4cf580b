import { serviceUrls } from './services.js';

/** etcd's client URL: ETCD_URL of the environment, else of services.env; throws when etcd is not running. */
export function etcdUrl(): string {
  const url = process.env.ETCD_URL ?? serviceUrls().ETCD_URL;
  if (!url) throw new Error('etcd is not running: scripts/services up (or scripts/services etcd up) starts it');
  return url;
}

/** Base64 of a UTF-8 string (etcd's JSON gateway carries keys and values so). */
export const b64 = (text: string): string => Buffer.from(text).toString('base64');

const rangeOf = (prefix: string) => ({ key: b64(prefix), range_end: b64(`${prefix.slice(0, -1)}0`) });

/**
 * Every entry under `prefix` (ending in `/`) as `key = value lease L created R`:
 * a restore that recreated a key or lost its lease shows up as a difference.
 */
export async function registrySnapshot(url: string, prefix: string): Promise<string[]> {
  const res = await fetch(`${url}/v3/kv/range`, { method: 'POST', body: JSON.stringify(rangeOf(prefix)) });
  const body = (await res.json()) as {
    kvs?: { key: string; value: string; lease?: string; create_revision: string }[];
  };
  return (body.kvs ?? []).map(
    (kv) =>
      `${Buffer.from(kv.key, 'base64')} = ${Buffer.from(kv.value, 'base64')} lease ${kv.lease ?? '0'} created ${kv.create_revision}`,
  );
}

/** Deletes every entry under `prefix`. */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  await fetch(`${url}/v3/kv/deleterange`, { method: 'POST', body: JSON.stringify(rangeOf(prefix)) });
}
