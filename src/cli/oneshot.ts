import type { ChatSession } from './session.js';
import { TurnView } from './ui/turn-view.js';
import type { Term } from './ui/theme.js';

/**
 * `anton -p "…"` / piped stdin: one turn, no prompt. Plain mode prints the answer (with tool steps on a TTY);
 * `--json` prints every frame as one JSON line (the same frames the app receives over SSE).
 * Exit code: 0 completed, 1 failed, 130 cancelled (SIGINT).
 */
export async function runOneShot(session: ChatSession, term: Term, prompt: string, json: boolean): Promise<number> {
  const onSigint = () => session.cancel();
  process.on('SIGINT', onSigint);
  try {
    if (json) {
      const out = await session.run(prompt, (f) => term.out.write(`${JSON.stringify({ ...f, conversation_id: session.conversationId })}\n`));
      return exitCode(out.status);
    }
    if (!term.tty) {
      // Scripts get the answer only, as it streams.
      let last = '\n';
      const out = await session.run(prompt, (f) => {
        if (f.type !== 'response.output_text.delta') return;
        const d = String(f.delta ?? '');
        if (d) last = d;
        term.out.write(d);
      });
      if (!last.endsWith('\n')) term.out.write('\n');
      if (out.status === 'failed') process.stderr.write(`anton: ${out.error ?? 'the turn failed'}\n`);
      return exitCode(out.status);
    }
    const view = new TurnView(term);
    const out = await session.run(prompt, (f) => view.push(f), (fn) => (view.artifactsChanged = fn));
    await view.done();
    if (out.status === 'failed') process.stderr.write(`anton: ${out.error ?? 'the turn failed'}\n`);
    return exitCode(out.status);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function exitCode(status: string): number {
  return status === 'completed' ? 0 : status === 'cancelled' ? 130 : 1;
}

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
