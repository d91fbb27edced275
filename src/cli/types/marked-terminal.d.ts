// marked-terminal ships no types (and @types/marked-terminal pins marked < 12): the one function we call.
declare module 'marked-terminal' {
  export function markedTerminal(options?: Record<string, unknown>, highlightOptions?: Record<string, unknown>): object;
}
