export interface FaultSpec {
  /** HTTP method to match (any when absent) */
  method?: string;
  /** regular expression (string) tested against the request path, e.g. "/volume/v3/.+/snapshots" */
  pathPattern: string;
  /** answer with this status (and the service's error body) instead of the real response */
  status?: number;
  /** wait this long before answering */
  delayMs?: number;
  /** never answer */
  timeout?: boolean;
  /** drop the next link of a page (Keystone: "truncated": true) */
  truncate?: boolean;
  /** apply to this many matching requests, then disappear (unlimited when absent) */
  times?: number;
  /**
   * let the request succeed, but the resource it creates ends in an error state after the
   * transition delay with this message: a server (`POST /servers`) in ERROR with `fault.message`,
   * a volume or snapshot in `error`, a server image (`createImage`) `killed`
   */
  buildError?: string;
}

export interface Fault extends FaultSpec {
  id: number;
  hits: number;
}

export class FaultRegistry {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    // validate the pattern early
    RegExp(spec.pathPattern);
    const fault: Fault = { ...spec, id: this.nextId++, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  remove(id: number) {
    this.faults = this.faults.filter(f => f.id !== id);
  }

  clear() {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.slice();
  }

  /** Finds the first matching fault and consumes one of its `times`. */
  match(method: string, path: string): Fault | undefined {
    for (const f of this.faults) {
      if (f.method && f.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!new RegExp(f.pathPattern).test(path)) continue;
      f.hits++;
      if (f.times !== undefined) {
        f.times--;
        if (f.times <= 0) this.remove(f.id);
      }
      return f;
    }
    return undefined;
  }
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** ISO time the request arrived */
  time: string;
  durationMs: number;
}
