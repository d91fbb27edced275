/**
 * SDK clients reused across turns for the same configuration: constructing one costs about half a millisecond
 * per turn, and a client holds nothing but its configuration. A settings change gives a new key, hence a new client.
 */
const clients = new Map<string, unknown>();
const MAX_CLIENTS = 8;

export function cachedClient<T>(parts: readonly (string | number | undefined)[], make: () => T): T {
  const key = JSON.stringify(parts);
  let client = clients.get(key) as T | undefined;
  if (client === undefined) {
    client = make();
    if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
    clients.set(key, client);
  }
  return client;
}
