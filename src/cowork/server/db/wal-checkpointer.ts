import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './database.js';

/**
 * WAL checkpoints off the event loop.
 *
 * SQLite checkpoints the WAL into the database file as part of whichever commit crosses `wal_autocheckpoint`
 * pages, and a checkpoint fsyncs: measured here at 15–20 ms, every second or so while 20 turns stream. On the
 * server's one thread that is a stall every client request waits behind. So the server's connection never
 * checkpoints (`wal_autocheckpoint = 0`); a worker thread with its own connection runs PASSIVE checkpoints, which
 * never block the writer. Durability is unchanged: commits are in the WAL either way.
 *
 * The worker only lives while there is something to checkpoint: a cheap timer stats the `-wal` file and starts the
 * worker when it has grown; the worker truncates the WAL and exits once it has stayed idle. An idle server therefore
 * has no second V8 isolate in memory.
 */

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
let idle = 0;
const tick = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r.log > r.checkpointed) idle = 0;
    else if (++idle >= workerData.idleTicks) {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      process.exit(0);
    }
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
};
setInterval(tick, workerData.intervalMs);
tick();
`;

export interface CheckpointerOptions {
  /** How often the worker checkpoints while it lives. */
  intervalMs?: number;
  /** Quiet checkpoints in a row after which the worker truncates the WAL and exits. */
  idleTicks?: number;
  /** WAL size that wakes the worker (the default autocheckpoint is about 4 MB of pages). */
  wakeBytes?: number;
  /** Told when a checkpoint fails (it is retried on the next tick). */
  onError?: (message: string) => void;
}

export class WalCheckpointer {
  private worker: Worker | null = null;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  private readonly walFile: string;
  /** The WAL's size when the worker last exited (it truncates, so normally 0). */
  private quietSize = -1;

  constructor(
    private readonly db: Db,
    private readonly opts: CheckpointerOptions = {},
  ) {
    this.walFile = `${db.name}-wal`;
    db.pragma('wal_autocheckpoint = 0');
    this.timer = setInterval(() => this.check(), opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Is a checkpoint worker running right now (for tests and diagnostics)? */
  get active(): boolean {
    return this.worker !== null;
  }

  /** Start the worker if the WAL has grown past the wake size. */
  check(): void {
    if (this.stopped || this.worker) return;
    const size = this.walSize();
    // Wake for growth only: a WAL another process's reader kept from being truncated must not restart the worker forever.
    if (size >= (this.opts.wakeBytes ?? 4 * 1024 * 1024) && size !== this.quietSize) this.start();
  }

  private walSize(): number {
    try {
      return statSync(this.walFile).size;
    } catch {
      return 0;
    }
  }

  private start(): void {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: this.db.name, driver, intervalMs: this.opts.intervalMs ?? 1000, idleTicks: this.opts.idleTicks ?? 30 },
      resourceLimits: { maxOldGenerationSizeMb: 16 },
    });
    w.unref();
    w.on('message', (m: { error?: string }) => m.error && this.opts.onError?.(m.error));
    w.on('error', (err) => this.opts.onError?.(err.message));
    w.on('exit', () => {
      if (this.worker !== w) return;
      this.worker = null;
      this.quietSize = this.walSize();
    });
    this.worker = w;
  }

  /** Stop checkpointing in the background and fold the WAL into the database once, here. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
    if (this.db.open) {
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // another process may hold the database; its own connection checkpoints later
      }
    }
  }
}
