/** `anton update [args]` is the update work's command (the server's updater, same state dir). */
export async function runUpdateDispatch(args: string[]): Promise<void> {
  const { runUpdateCommand } = await import('../cowork/server/update-command.js');
  process.exitCode = await runUpdateCommand(args);
}
