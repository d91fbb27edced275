import { spawn } from 'node:child_process';

/**
 * Run another installed version as our child and stay the process the desktop app knows: signals are
 * forwarded and its exit code becomes ours. Resolves 'failed-early' when the child dies within `graceMs`
 * (the caller rolls back); otherwise never resolves (the process exits with the child).
 */
export function supervise(entry: string, args: string[], graceMs = 15_000): Promise<'failed-early'> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [entry, ...args], { stdio: 'inherit', env: { ...process.env, _ANTON_UPDATED: '1' } });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onTerm = forward('SIGTERM');
    const onInt = forward('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      if (code !== 0 && !signal && Date.now() - started < graceMs) resolve('failed-early');
      else process.exit(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1));
    });
  });
}
