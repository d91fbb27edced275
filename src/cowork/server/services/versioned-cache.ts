/**
 * Answers kept while their source has not changed: each entry remembers the source's version it was built at and is
 * rebuilt when asked at another one. A null version (no version can be told) always builds and keeps nothing.
 * Bounded: the oldest entry goes when a new key would exceed `maxEntries`.
 */
export class VersionedCache<T> {
  private readonly entries = new Map<string, { version: number; value: T }>();

  constructor(private readonly maxEntries = 32) {}

  get(key: string, version: number | null, build: () => T): T {
    if (version === null) return build();
    const hit = this.entries.get(key);
    if (hit && hit.version === version) return hit.value;
    const value = build();
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { version, value });
    return value;
  }
}
