import { fork, type ChildProcess } from 'node:child_process';
import type { Server, Socket } from 'node:net';
import { quarantine, readState, removeOtherVersions, updateState, type UpdateState, type VersionRef } from '../../core/updater/state.js';

/**
 * The process the desktop app started, once it runs another installed version: it keeps the listening socket, hands
 * each new connection to the serving child (so a switch or a crash never refuses a connection), forwards stop
 * signals, and owns probation, rollback and quarantine. It loads no server code, so it stays small. The IPC it speaks
 * (`{anton: …}` messages) is the contract between versions: keep it backwards compatible.
 *
 * child → supervisor: accepting (early listener up), ready (full app up), switch {version, entry} (staged and idle)
 * supervisor → child: conn + socket handle, retire (finish what is live, then exit 0)
 */
export interface SupervisorOptions {
  acceptor: Server;
  /** The version the desktop app installed: the last fallback, never quarantined. */
  installed: VersionRef;
  versionsDir: string;
  args: string[];
  probationMs: number;
  crashWindowMs?: number;
  crashLimit?: number;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** Single-process mode: the app of this very process, serving until the first child is ready. */
  local?: { serve: (socket: Socket) => void; retire: () => void };
}

interface Child {
  proc: ChildProcess;
  ref: VersionRef;
  accepting: boolean;
  ready: boolean;
  retiring: boolean;
  startedAt: number;
}

export class Supervisor {
  private active: Child | null = null;
  private pending: Child | null = null;
  private readonly retiring = new Set<Child>();
  private readonly queue: Socket[] = [];
  private stopping: NodeJS.Signals | null = null;
  private probationTimer: NodeJS.Timeout | null = null;
  private exitCode = 0;
  private local: SupervisorOptions['local'] | null;

  constructor(private readonly o: SupervisorOptions) {
    this.local = o.local ?? null;
    o.acceptor.removeAllListeners('connection');
    (o.acceptor as Server & { pauseOnConnect: boolean }).pauseOnConnect = true; // a socket is passed on before anything reads it
    o.acceptor.on('connection', (s) => this.route(s));
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => this.stop(sig));
  }

  /** Run `ref` as the serving version (at start, or after a crash). */
  start(ref: VersionRef): void {
    this.active = this.spawn(ref);
    this.armProbation();
  }

  /** A child asked to switch to the staged version: start it beside the active one, promote it when ready. */
  switchTo(ref: VersionRef): void {
    if (this.pending || this.stopping) return;
    const staged = readState(this.o.versionsDir).staged;
    if (!staged || staged.version !== ref.version || staged.entry !== ref.entry) return this.o.log('warn', 'switch request does not match the staged version; ignored', { ...ref });
    this.o.log('info', 'switching to the updated version', { from: this.active?.ref.version, to: ref.version });
    this.pending = this.spawn(ref);
  }

  private spawn(ref: VersionRef): Child {
    const proc = fork(ref.entry, this.o.args, { env: { ...process.env, ANTON_SUPERVISED: '1' }, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    const child: Child = { proc, ref, accepting: false, ready: false, retiring: false, startedAt: Date.now() };
    proc.on('message', (m: { anton?: string; version?: string; entry?: string }) => {
      if (m?.anton === 'accepting') this.onAccepting(child);
      else if (m?.anton === 'ready') this.onReady(child);
      else if (m?.anton === 'switch' && child === this.active && m.version && m.entry) this.switchTo({ version: m.version, entry: m.entry });
    });
    proc.on('error', (err) => this.o.log('error', 'could not start a server version', { version: ref.version, err: err.message }));
    proc.on('exit', (code, signal) => this.onExit(child, code, signal));
    return child;
  }

  private route(socket: Socket): void {
    const target = this.active?.accepting ? this.active : null;
    if (!target && this.local) return this.local.serve(socket);
    if (!target || !target.proc.connected) {
      this.queue.push(socket);
      return;
    }
    try {
      target.proc.send({ anton: 'conn' }, socket, { keepOpen: false }, (err) => {
        if (err) socket.destroy();
      });
    } catch {
      socket.destroy();
    }
  }

  private flush(): void {
    for (const s of this.queue.splice(0)) this.route(s);
  }

  private onAccepting(child: Child): void {
    child.accepting = true;
    if (child === this.active) this.flush();
  }

  private onReady(child: Child): void {
    child.ready = true;
    if (child === this.pending) {
      // Promote: new connections go to the new version; the old one finishes what it has and exits.
      const old = this.active;
      this.pending = null;
      this.active = child;
      child.accepting = true;
      if (old) this.retire(old);
      updateState(this.o.versionsDir, (s) => {
        if (old && !this.onProbation(s, old.ref.version)) s.knownGood = this.isInstalled(old.ref) ? null : old.ref;
        s.current = child.ref;
        s.staged = null;
        s.probation = { version: child.ref.version, since: new Date().toISOString() };
      });
      this.o.log('info', 'now serving the updated version (on probation)', { version: child.ref.version });
      this.armProbation();
      this.flush();
    }
    if (child === this.active && this.local) {
      this.local.retire();
      this.local = null;
    }
  }

  private retire(child: Child): void {
    child.retiring = true;
    this.retiring.add(child);
    if (child.proc.connected) child.proc.send({ anton: 'retire' });
    else child.proc.kill('SIGTERM');
  }

  private isInstalled(ref: VersionRef): boolean {
    return ref.entry === this.o.installed.entry;
  }

  private onProbation(s: UpdateState, version: string): boolean {
    return s.probation?.version === version && Date.now() - Date.parse(s.probation.since) < this.o.probationMs;
  }

  /** When the active version is on probation, mark it known-good once it has lasted; then tidy old versions. */
  private armProbation(): void {
    if (this.probationTimer) clearTimeout(this.probationTimer);
    const s = readState(this.o.versionsDir);
    const active = this.active;
    if (!active || !s.probation || s.probation.version !== active.ref.version) return;
    const left = Math.max(0, Date.parse(s.probation.since) + this.o.probationMs - Date.now());
    this.probationTimer = setTimeout(() => {
      if (this.active !== active) return;
      const after = updateState(this.o.versionsDir, (st) => {
        if (st.probation?.version !== active.ref.version) return;
        st.probation = null;
        st.knownGood = this.isInstalled(active.ref) ? null : active.ref;
        st.crashes = [];
      });
      const removed = removeOtherVersions(this.o.versionsDir, [after.current?.version, after.knownGood?.version, after.staged?.version]);
      this.o.log('info', 'update passed probation', { version: active.ref.version, removed });
    }, left);
    this.probationTimer.unref();
  }

  private onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    this.retiring.delete(child);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (this.stopping) {
      if (child === this.active) this.exitCode = code ?? (signal === this.stopping ? 0 : 1);
      if (child === this.active) this.active = null;
      if (child === this.pending) this.pending = null;
      return this.exitWhenAlone();
    }
    if (child.retiring) return; // it finished its work and left
    if (child === this.pending) {
      // The new version died before it was ready: the old one never stopped serving.
      this.pending = null;
      this.quarantineAndLog(child.ref, `exited with ${how} while starting after the switch`);
      return;
    }
    if (child !== this.active) return;
    this.active = null;
    const now = new Date().toISOString();
    const s = updateState(this.o.versionsDir, (st) => {
      st.crashes = [...st.crashes.filter((c) => Date.now() - Date.parse(c.at) < (this.o.crashWindowMs ?? 600_000)), { version: child.ref.version, at: now }];
    });
    const recent = s.crashes.filter((c) => c.version === child.ref.version).length;
    const neverReady = !child.ready;
    const badUpdate = !this.isInstalled(child.ref) && (this.onProbation(s, child.ref.version) || neverReady || recent >= (this.o.crashLimit ?? 3));
    if (badUpdate) {
      const reason = neverReady ? `exited with ${how} before it was ready` : this.onProbation(s, child.ref.version) ? `exited with ${how} during probation` : `crashed ${recent} times in 10 minutes (last: ${how})`;
      this.quarantineAndLog(child.ref, reason);
      const back = readState(this.o.versionsDir).current ?? this.o.installed;
      this.o.log('warn', 'rolled back', { to: back.version });
      return this.start(back);
    }
    if (this.isInstalled(child.ref) && recent >= (this.o.crashLimit ?? 3)) {
      this.o.log('error', 'the installed version keeps crashing; giving up', { version: child.ref.version, last: how });
      process.exit(1);
    }
    this.o.log('warn', 'server exited unexpectedly; restarting it', { version: child.ref.version, how });
    this.start(child.ref);
  }

  /** Never run this version again automatically; point `current` back at the last known-good one. */
  private quarantineAndLog(ref: VersionRef, reason: string): void {
    if (this.isInstalled(ref)) return;
    updateState(this.o.versionsDir, (s) => {
      quarantine(s, ref.version, reason);
      if (s.current?.version === ref.version) s.current = s.knownGood?.version === ref.version ? null : s.knownGood;
      if (s.knownGood?.version === ref.version) s.knownGood = null;
      if (s.probation?.version === ref.version) s.probation = null;
    });
    this.o.log('error', 'update quarantined', { version: ref.version, reason });
  }

  private stop(sig: NodeJS.Signals): void {
    if (this.stopping) return;
    this.stopping = sig;
    this.local = null; // this process is going away with its own app
    this.o.acceptor.close();
    for (const s of this.queue.splice(0)) s.destroy();
    for (const c of [this.active, this.pending, ...this.retiring]) if (c && c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill(sig);
    setTimeout(() => process.exit(this.exitCode || 1), 10_000).unref();
    this.exitWhenAlone();
  }

  private exitWhenAlone(): void {
    if (!this.active && !this.pending && this.retiring.size === 0 && !this.local) process.exit(this.exitCode);
  }
}
