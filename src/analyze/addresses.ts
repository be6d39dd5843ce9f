/**
 * Which endpoint (`namespace/name`) an address (`ip:port`) belongs to, learned only from lines in
 * which the EPP itself put both side by side: our `server.selected` (`endpoint` and `endpointName`
 * of the same target) and upstream's endpoint objects (`Starting refresher`, the V4 dumps). The
 * prefill header carries only an address, and the prefill pods never reach `server.selected`, so
 * this is the only way to name them; what it cannot prove, it does not answer.
 */
export class AddressBook {
  /** The names an address has now (a pod's refresher stopping takes it out). */
  private readonly current = new Map<string, Set<string>>();
  /** Every name an address ever had in this log. */
  private readonly ever = new Map<string, Set<string>>();
  /** Every address a name ever had. */
  private readonly addressesOf = new Map<string, Set<string>>();
  /** Addresses are few (one per endpoint and port); this only guards against a pathological log. */
  private static readonly LIMIT = 100_000;

  learn(address: string, name: string): void {
    if (this.ever.size >= AddressBook.LIMIT && !this.ever.has(address)) return;
    add(this.current, address, name);
    add(this.ever, address, name);
    add(this.addressesOf, name, address);
  }

  /** The endpoint's refresher stopped: the pod is gone, its address may go to another. */
  forget(address: string, name: string): void {
    this.current.get(address)?.delete(name);
  }

  /**
   * The one name the address has now, or, failing that, the one it ever had; undefined when the
   * lines never named it or named it twice. A bare ip (no port) is looked up as such.
   */
  nameOf(address: string): string | undefined {
    const exact = only(this.current.get(address)) ?? only(this.ever.get(address));
    if (exact !== undefined || this.ever.has(address)) return exact;
    // GIE ≤ v1.0 objects carry no port: their bare ip stands for every port of the pod.
    const ip = /^(.*):\d+$/.exec(address)?.[1];
    return ip === undefined ? undefined : (only(this.current.get(ip)) ?? only(this.ever.get(ip)));
  }

  /** The one address a name ever had (undefined when unknown or several). */
  addressOf(name: string): string | undefined {
    return only(this.addressesOf.get(name));
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function only(set: Set<string> | undefined): string | undefined {
  if (set === undefined || set.size !== 1) return undefined;
  return set.values().next().value;
}
