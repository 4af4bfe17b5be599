/**
 * Named counters bumped on the hot path (scheduler stats, core events). A dictionary-mode object
 * costs a hash lookup per bump; a policy uses a handful of names, each a string constant, so a
 * scan comparing by identity first is a few ns. Read back as a record in first-use order.
 */
export class Counters {
  private readonly names: string[] = [];
  private values = new Float64Array(8);

  add(name: string, delta: number): void {
    const names = this.names;
    let i = 0;
    while (i < names.length && names[i] !== name) i++;
    if (i === names.length) {
      if (i === this.values.length) {
        const v = new Float64Array(i * 2);
        v.set(this.values);
        this.values = v;
      }
      names.push(name);
    }
    this.values[i] += delta;
  }

  /** The counters as a fresh record, in the order the names were first used. */
  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    // defineProperty: a counter named __proto__ is a counter, not the record's prototype
    for (let i = 0; i < this.names.length; i++) Object.defineProperty(out, this.names[i], { value: this.values[i], enumerable: true, writable: true, configurable: true });
    return out;
  }
}
