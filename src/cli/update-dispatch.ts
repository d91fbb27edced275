/** `anton update [args]` belongs to the update work (the lead's `update-command` module). */
export async function runUpdateDispatch(args: string[]): Promise<void> {
  // TODO(lead): replace with `(await import('../cowork/server/update-command.js')).runUpdateCommand(args)` once that module exists.
  void args;
  process.stderr.write('anton update is not available in this build yet.\n');
  process.exitCode = 2;
}
